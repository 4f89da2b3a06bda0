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
    private long _largestReply;
    private long _largestRequestAnswered;

    /// <summary>The largest reply seen to a hostile datagram, and the size of that datagram: the amplification an attacker gets.</summary>
    public string Amplification => $"largest reply {Interlocked.Read(ref _largestReply)} bytes to a {Interlocked.Read(ref _largestRequestAnswered)}-byte datagram";

    /// <summary>Every hostile datagram in turn, paced.</summary>
    public async Task SendDatagramsAsync(CancellationToken token)
    {
        var payloads = HostilePayloads.Datagrams(SiegeGateway.Device);
        using var udp = new UdpClient(new IPEndPoint(LoopbackSources.LineSender, 0));
        var target = new IPEndPoint(IPAddress.Loopback, port);
        for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
        {
            var payload = payloads[i % payloads.Count];
            ledger.Hostile(Channel, payload.Kind);
            await udp.SendAsync(payload.Bytes, target, token);
            await CollectReplies(udp, payload.Bytes.Length, TimeSpan.FromMilliseconds(40), token);
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
            if (ledger.PickCaptured(random) is { } captured)
            {
                ledger.Hostile(Channel, HostilePayloads.Replay);
                await udp.SendAsync(Encoding.UTF8.GetBytes(captured), target, token);
            }

            await CollectReplies(udp, requestBytes: -1, TimeSpan.FromSeconds(1), token);
        }
    }

    // Reads replies until the next send is due (the pace), counting their codes and sizes.
    private async Task CollectReplies(UdpClient udp, int requestBytes, TimeSpan pace, CancellationToken token)
    {
        using var until = CancellationTokenSource.CreateLinkedTokenSource(token);
        until.CancelAfter(pace);
        try
        {
            while (!until.IsCancellationRequested)
            {
                var reply = await udp.ReceiveAsync(until.Token);
                Paced.CountCodes(reply.Buffer, ledger, Channel);
                if (requestBytes >= 0 && reply.Buffer.Length > Interlocked.Read(ref _largestReply))
                {
                    Interlocked.Exchange(ref _largestReply, reply.Buffer.Length);
                    Interlocked.Exchange(ref _largestRequestAnswered, requestBytes);
                }
            }
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            // the pace is up, the port is unreachable (ICMP), or the siege is over
        }
    }
}
