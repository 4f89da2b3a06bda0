using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// Hostile consoles on the WebSocket listener: hostile messages and replays as text frames (binary frames too), idle
/// sessions that never read, and bad or abandoned handshakes with connection churn. Each from its own loopback
/// address, each paced.
/// </summary>
internal sealed class WebSocketListenerAttacker(int port, SiegeLedger ledger, SiegeSettings settings)
{
    private const string Channel = "websocket listener";
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(30);
    private Uri Url => new($"ws://127.0.0.1:{port}/ws");

    /// <summary>Every hostile message in turn as a text frame, a captured command every fifth, a binary frame every seventh.</summary>
    public async Task SendFramesAsync(CancellationToken token)
    {
        var payloads = settings.Filter(HostilePayloads.Lines(SiegeGateway.Device, SiegeGateway.MaxLineLength));
        var random = new Random(15);
        Session? session = null;
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

                var binary = i % 7 == 6;
                try
                {
                    if (session is null || session.Socket.State != WebSocketState.Open || drain.IsCompleted)
                    {
                        session?.Dispose();
                        session = await ConnectAsync(LoopbackSources.WebSocketSender, token);
                        drain = DrainAsync(session.Socket, token);
                    }

                    ledger.Hostile(Channel, binary ? $"{payload.Kind} (binary frame)" : payload.Kind);
                    using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
                    limit.CancelAfter(TimeSpan.FromSeconds(10));
                    await session.Socket.SendAsync(payload.Bytes, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, limit.Token);
                }
                catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
                {
                    ledger.Outcome(Channel, "hung up on the sender");
                    session?.Dispose();
                    session = null;
                }

                if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(80), token))
                {
                    break;
                }
            }
        }
        finally
        {
            session?.Dispose();
        }
    }

    /// <summary>Up to <paramref name="count"/> sessions that never send and never read, each held <see cref="Hold"/> and replaced.</summary>
    public async Task HoldIdleAsync(int count, CancellationToken token)
    {
        var held = new Queue<(Session Session, DateTime Opened)>();
        try
        {
            for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
            {
                while (held.Count > 0 && DateTime.UtcNow - held.Peek().Opened > Hold)
                {
                    held.Dequeue().Session.Dispose();
                }

                if (held.Count < count)
                {
                    try
                    {
                        held.Enqueue((await ConnectAsync(LoopbackSources.IdleHolder, token), DateTime.UtcNow));
                        ledger.Hostile(Channel, "idle session");
                    }
                    catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
                    {
                        ledger.Outcome(Channel, "idle session refused");
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
            foreach (var (session, _) in held)
            {
                session.Dispose();
            }
        }
    }

    /// <summary>Bad handshakes (no upgrade, no subprotocol, no key, not HTTP at all) and abandoned ones, then gone.</summary>
    public async Task BadHandshakesAsync(CancellationToken token)
    {
        string[] requests =
        [
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: gateway.v1\r\n\r\n",
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: gateway.v1\r\n\r\n\u0081\u00fe\u00ff\u00ff",
            "{\"type\":\"\\ud800\"}\n",
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + new string('a', 40_000) + "\r\n\r\n",
            "GET /ws HTTP/1.1\r\nHo",
        ];
        for (var i = 0; i < settings.MaxIterations && !token.IsCancellationRequested; i++)
        {
            try
            {
                using var socket = await LoopbackSources.ConnectAsync(LoopbackSources.Churn, port, token);
                ledger.Hostile(Channel, "bad handshake or churn");
                await socket.SendAsync(Encoding.Latin1.GetBytes(requests[i % requests.Length]), SocketFlags.None, token);
                var reply = new byte[512];
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
                limit.CancelAfter(TimeSpan.FromSeconds(i % requests.Length == requests.Length - 1 ? 0.2 : 3));
                var n = await socket.ReceiveAsync(reply, SocketFlags.None, limit.Token);
                var status = Encoding.Latin1.GetString(reply, 0, n).Split('\r')[0];
                ledger.Outcome(Channel, n == 0 ? "handshake: closed" : $"handshake: {(status.Length > 20 ? status[..20] : status)}");
            }
            catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
            {
                ledger.Outcome(Channel, "handshake: no answer or reset");
            }

            if (!await Paced.WaitAsync(TimeSpan.FromMilliseconds(200), token))
            {
                break;
            }
        }
    }

    private async Task<Session> ConnectAsync(IPAddress source, CancellationToken token)
    {
        var session = new Session(new ClientWebSocket(), new HttpMessageInvoker(LoopbackSources.HttpHandler(source)));
        session.Socket.Options.AddSubProtocol("gateway.v1");
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            await session.Socket.ConnectAsync(Url, session.Invoker, limit.Token);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    // A client WebSocket and the handler its connection came from (bound to an attacker's source address).
    private sealed record Session(ClientWebSocket Socket, HttpMessageInvoker Invoker) : IDisposable
    {
        public void Dispose()
        {
            Socket.Abort();
            Socket.Dispose();
            Invoker.Dispose();
        }
    }

    private async Task DrainAsync(ClientWebSocket socket, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!token.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                var r = await socket.ReceiveAsync(buffer, token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    ledger.Outcome(Channel, $"closed by the gateway ({r.CloseStatus})");
                    return;
                }

                Paced.CountCodes(buffer.AsSpan(0, r.Count), ledger, Channel);
            }
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            // hung up, or the siege is over
        }
    }
}
