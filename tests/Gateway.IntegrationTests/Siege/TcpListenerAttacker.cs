using System.Net.Sockets;
using System.Text;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// Hostile consoles on a line-oriented listener port (the TCP listener): a sender of hostile lines and replays, idle
/// connections that never send or read, slow-loris connections (a byte, or an empty line, every few seconds) and
/// connection churn. Each from its own loopback address, each paced.
/// </summary>
internal sealed class TcpListenerAttacker(int port, SiegeLedger ledger, SiegeSettings settings)
{
    private const string Channel = "tcp listener";
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(30);

    /// <summary>Every hostile line in turn, a captured signed command every fifth; reconnects when the gateway hangs up.</summary>
    public async Task SendLinesAsync(CancellationToken token)
    {
        var payloads = settings.Filter(HostilePayloads.Lines(SiegeGateway.Device, SiegeGateway.MaxLineLength));
        var random = new Random(14);
        Socket? socket = null;
        Task drain = Task.CompletedTask;
        try
        {
            for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
            {
                var replay = i % 10 == 9 && settings.Includes(HostilePayloads.Replay) ? ledger.PickCaptured(random) : null;
                var payload = replay is null ? (payloads.Count == 0 ? null : payloads[i % payloads.Count]) : new HostilePayload(HostilePayloads.Replay, Encoding.UTF8.GetBytes(replay));
                if (payload is null)
                {
                    if (!await Paced.WaitAsync(TimeSpan.FromSeconds(1), token))
                    {
                        break;
                    }

                    continue;
                }

                try
                {
                    if (socket is null || drain.IsCompleted)
                    {
                        socket?.Dispose();
                        socket = await LoopbackSources.ConnectAsync(LoopbackSources.LineSender, port, token);
                        drain = Paced.DrainAsync(socket, ledger, Channel, token);
                    }

                    ledger.Hostile(Channel, payload.Kind);
                    await socket.SendAsync((byte[])[.. payload.Bytes, (byte)'\n'], SocketFlags.None, token);
                }
                catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
                {
                    ledger.Outcome(Channel, "hung up on the sender");
                    socket?.Dispose();
                    socket = null;
                }

                if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(60), token))
                {
                    break;
                }
            }
        }
        finally
        {
            socket?.Dispose();
        }
    }

    /// <summary>Up to <paramref name="count"/> connections that never send and never read, each held <see cref="Hold"/> and replaced.</summary>
    public async Task HoldIdleAsync(int count, CancellationToken token)
    {
        var held = new Queue<(Socket Socket, DateTime Opened)>();
        try
        {
            for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
            {
                while (held.Count > 0 && DateTime.UtcNow - held.Peek().Opened > Hold)
                {
                    held.Dequeue().Socket.Dispose();
                }

                if (held.Count < count)
                {
                    try
                    {
                        held.Enqueue((await LoopbackSources.ConnectAsync(LoopbackSources.IdleHolder, port, token), DateTime.UtcNow));
                        ledger.Hostile(Channel, "idle connection");
                    }
                    catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
                    {
                        ledger.Outcome(Channel, "idle connection refused");
                    }
                }

                if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(500), token))
                {
                    break;
                }
            }
        }
        finally
        {
            while (held.Count > 0)
            {
                held.Dequeue().Socket.Dispose();
            }
        }
    }

    /// <summary>
    /// <paramref name="count"/> slow-loris connections: half trickle one byte of a line that never ends every 3 s, half
    /// send an empty line every 3 s (which resets an idle timer that counts bytes rather than messages).
    /// </summary>
    public async Task SlowLorisAsync(int count, CancellationToken token)
    {
        var sockets = new Socket?[count];
        var prefix = "{\"type\":\"ping\",\"pad\":\""u8.ToArray();
        var sent = new int[count];
        try
        {
            for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
            {
                for (var s = 0; s < count; s++)
                {
                    try
                    {
                        if (sockets[s] is null)
                        {
                            sockets[s] = await LoopbackSources.ConnectAsync(LoopbackSources.SlowLoris, port, token);
                            sent[s] = 0;
                        }

                        var trickle = s % 2 == 0;
                        byte next = trickle ? (sent[s] < prefix.Length ? prefix[sent[s]] : (byte)'x') : (byte)'\n';
                        sent[s]++;
                        await sockets[s]!.SendAsync(new[] { next }, SocketFlags.None, token);
                        ledger.Hostile(Channel, trickle ? "slow-loris byte" : "slow-loris empty line");
                    }
                    catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
                    {
                        ledger.Outcome(Channel, "slow-loris connection dropped");
                        sockets[s]?.Dispose();
                        sockets[s] = null;
                    }
                }

                if (!await Paced.WaitAsync(TimeSpan.FromSeconds(3), token))
                {
                    break;
                }
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket?.Dispose();
            }
        }
    }

    /// <summary>Connection churn: connect, perhaps half a line, and go (a reset every other time).</summary>
    public async Task ChurnAsync(CancellationToken token)
    {
        for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
        {
            try
            {
                using var socket = await LoopbackSources.ConnectAsync(LoopbackSources.Churn, port, token);
                if (i % 3 == 0)
                {
                    await socket.SendAsync("{\"type\":\"comm"u8.ToArray(), SocketFlags.None, token);
                }

                if (i % 2 == 0)
                {
                    socket.LingerState = new LingerOption(true, 0); // close with RST
                }

                ledger.Hostile(Channel, "connection churn");
            }
            catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
            {
                ledger.Outcome(Channel, "churn connection failed");
            }

            if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(150), token))
            {
                break;
            }
        }
    }
}
