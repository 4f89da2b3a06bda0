using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// Hostile datagrams to the UDP command port: every hostile payload (the empty datagram and the 17-byte lone
/// surrogate among them) from one loopback address, captured signed commands replayed from another. Replies are
/// counted, and the largest reply to an unauthenticated datagram is compared with the request's size (reflection and
/// amplification, finding 6).
/// </summary>
internal sealed class UdpAttacker(int port, SiegeLedger ledger, SiegeSettings settings)
{
    private const string Channel = "udp port";
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Request, int Reply)> _largest = new(StringComparer.Ordinal);

    /// <summary>The largest reply seen to any hostile (unauthenticated) datagram, with that datagram's size and kind.</summary>
    public string Amplification => _largest.IsEmpty
        ? "no reply to any hostile datagram"
        : _largest.MaxBy(p => p.Value.Reply) is var (kind, (request, reply)) ? $"largest reply {reply} bytes to a {request}-byte datagram ({kind})" : string.Empty;

    /// <summary>Hostile datagrams that got a reply larger than themselves (finding 6: reflection with amplification).</summary>
    public IReadOnlyList<string> Amplified => [.. _largest.Where(p => p.Value.Reply > p.Value.Request).Select(p => $"{p.Key}: {p.Value.Request}-byte datagram, {p.Value.Reply}-byte reply")];

    /// <summary>
    /// Every hostile datagram in turn, paced; each payload from its own socket, so every reply is matched to the
    /// datagram it answers (and its size) exactly, however late it comes.
    /// </summary>
    public async Task SendDatagramsAsync(CancellationToken token)
    {
        var payloads = settings.Filter(HostilePayloads.Datagrams(SiegeGateway.Device));
        if (payloads.Count == 0)
        {
            return;
        }

        var sockets = payloads.Select(_ => new UdpClient(new IPEndPoint(LoopbackSources.LineSender, 0))).ToList();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(token);
        var listening = sockets.Select((udp, n) => CollectReplies(udp, $"{payloads[n].Kind} #{n}", payloads[n].Bytes.Length, done.Token)).ToList();
        var target = new IPEndPoint(IPAddress.Loopback, port);
        try
        {
            for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
            {
                var n = i % payloads.Count;
                ledger.Hostile(Channel, payloads[n].Kind);
                await sockets[n].SendAsync(payloads[n].Bytes, target, token);
                if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(40), token))
                {
                    break;
                }
            }

            // Replies still on their way.
            await Paced.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            // the port is unreachable, or the siege is over
        }
        finally
        {
            await done.CancelAsync();
            await Task.WhenAll(listening);
            sockets.ForEach(s => s.Dispose());
        }
    }

    /// <summary>
    /// The audit flood of finding 4: unsigned commands with 4 KB args, up to 50 a second from one address (over its
    /// rate limit, so many are refused <c>rate_limited</c>); about 6 MB in half a minute, the whole retained audit by
    /// default (1 MB × 6 files).
    /// </summary>
    public async Task FloodAuditAsync(CancellationToken token)
    {
        if (!settings.Includes(HostilePayloads.UnsignedBigArgs))
        {
            return;
        }

        using var udp = new UdpClient(new IPEndPoint(LoopbackSources.AuditFlood, 0));
        using var done = CancellationTokenSource.CreateLinkedTokenSource(token);
        var target = new IPEndPoint(IPAddress.Loopback, port);
        var note = new string('x', 4000);
        var listening = CollectReplies(udp, "audit flood", 4000, done.Token); // every datagram is a little over 4000 bytes
        try
        {
            for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
            {
                ledger.Hostile(Channel, "audit flood (unsigned, 4 KB args)");
                var datagram = Encoding.UTF8.GetBytes($$$"""{"type":"command","id":"flood-{{{i}}}","device":"{{{SiegeGateway.Device}}}","name":"output.set","args":{"output":"relay","on":true,"note":"{{{note}}}"}}""");
                await udp.SendAsync(datagram, target, token);
                if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(20), token))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            // the port is unreachable, or the siege is over
        }
        finally
        {
            await done.CancelAsync();
            await listening;
        }
    }

    /// <summary>Captured signed commands, replayed from another address (at most one a second).</summary>
    public async Task ReplayAsync(CancellationToken token)
    {
        var random = new Random(16);
        using var udp = new UdpClient(new IPEndPoint(LoopbackSources.Replayer, 0));
        var target = new IPEndPoint(IPAddress.Loopback, port);
        for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
        {
            if (settings.Includes(HostilePayloads.Replay) && ledger.PickCaptured(random) is { } captured)
            {
                ledger.Hostile(Channel, HostilePayloads.Replay);
                await udp.SendAsync(Encoding.UTF8.GetBytes(captured), target, token);
            }

            // A replay is signed: its answer (the first result, again) is not an amplification by an unauthenticated sender.
            using var pace = CancellationTokenSource.CreateLinkedTokenSource(token);
            pace.CancelAfter(TimeSpan.FromSeconds(1));
            await CollectReplies(udp, what: null, requestBytes: 0, pace.Token);
        }
    }

    // Reads the replies on one socket until the token ends, counting their codes and the largest against the request.
    private async Task CollectReplies(UdpClient udp, string? what, int requestBytes, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                var reply = await udp.ReceiveAsync(token);
                Paced.CountCodes(reply.Buffer, ledger, Channel);
                if (what is not null)
                {
                    _largest.AddOrUpdate(what, (requestBytes, reply.Buffer.Length), (_, old) => reply.Buffer.Length > old.Reply ? (requestBytes, reply.Buffer.Length) : old);
                }
            }
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            // the socket's time is up, the port is unreachable (ICMP), or the siege is over
        }
    }
}
