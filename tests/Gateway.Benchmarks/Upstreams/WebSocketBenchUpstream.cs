using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using Gateway.Links;
using Gateway.Protocol;
using Gateway.Protocol.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Benchmarks.Upstreams;

/// <summary>
/// The WebSocket receiver: Kestrel on a loopback port, path <c>/ingest</c>, subprotocol <c>gateway.v1</c>, one message
/// per text frame. A WebSocket has no "nothing more buffered" signal, so acks come from a second task that, whenever
/// it is woken and free, acknowledges everything parsed so far: as often as it can, never once per frame.
/// </summary>
internal sealed class WebSocketBenchUpstream : BenchUpstream
{
    private readonly WebApplication _app;

    private WebSocketBenchUpstream(bool acknowledge, LatencyHistogram? latency)
        : base(acknowledge, latency)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/ingest", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest || !context.WebSockets.WebSocketRequestedProtocols.Contains(WebSocketChannel.SubProtocol))
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync(WebSocketChannel.SubProtocol);
            await Serve(socket, context.RequestAborted);
        });
    }

    /// <summary>Where a link or a client connects.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Starts Kestrel on a free loopback port.</summary>
    public static async Task<WebSocketBenchUpstream> StartAsync(bool acknowledge, LatencyHistogram? latency = null)
    {
        var upstream = new WebSocketBenchUpstream(acknowledge, latency);
        await upstream._app.StartAsync();
        upstream.Url = new Uri($"ws://127.0.0.1:{new Uri(upstream._app.Urls.First()).Port}/ingest");
        return upstream;
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stop.Token);
        }

        await _app.DisposeAsync();
    }

    private async Task Serve(WebSocket socket, CancellationToken token)
    {
        var connection = new Connection();
        var acker = Acknowledge ? AckLoop(socket, connection, token) : Task.CompletedTask;
        var buffer = new byte[ProtocolInfo.DefaultMaxLineLength];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        throw new InvalidOperationException($"a frame longer than {buffer.Length} bytes arrived");
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(count), token);
                    count += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token);
                    return;
                }

                var seq = Take(buffer.AsSpan(0, count), out var ping);
                if (seq > connection.Last)
                {
                    Volatile.Write(ref connection.Last, seq);
                    connection.Wake.Writer.TryWrite(true);
                }

                if (ping)
                {
                    Interlocked.Increment(ref connection.Pings);
                    connection.Wake.Writer.TryWrite(true);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // the link went away
        }
        finally
        {
            connection.Wake.Writer.TryComplete();
            try
            {
                await acker;
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                // the connection is gone
            }
        }
    }

    private async Task AckLoop(WebSocket socket, Connection connection, CancellationToken token)
    {
        var message = new ArrayBufferWriter<byte>(64);
        long acked = 0;
        await foreach (var _ in connection.Wake.Reader.ReadAllAsync(token))
        {
            var last = Volatile.Read(ref connection.Last);
            if (last > acked)
            {
                message.Clear();
                MessageWriter.Write(new AckMessage(last), message);
                await socket.SendAsync(message.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, token);
                acked = last;
                CountAck();
            }

            if (Interlocked.Exchange(ref connection.Pings, 0) > 0)
            {
                message.Clear();
                MessageWriter.Write(new PongMessage(), message);
                await socket.SendAsync(message.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, token);
            }
        }
    }

    private sealed class Connection
    {
        public long Last;

        public int Pings;

        // At most one wake-up pending: a frame arriving while the acker is busy only makes sure it looks again.
        public Channel<bool> Wake { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            SingleWriter = true,
        });
    }
}
