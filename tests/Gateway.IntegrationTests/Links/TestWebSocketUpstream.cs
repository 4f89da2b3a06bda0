using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Gateway.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.IntegrationTests.Links;

/// <summary>A WebSocket upstream on Kestrel (subprotocol gateway.v1, over TLS when given a certificate) that records, acks, and can be restarted or drop its sockets.</summary>
internal sealed class TestWebSocketUpstream(X509Certificate2? certificate = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Device, long Seq), byte> _received = new();
    private readonly ConcurrentBag<WebSocket> _sockets = [];
    private WebApplication? _app;
    private int _hellos;

    public int Port { get; private set; }

    public IReadOnlyCollection<(string Device, long Seq)> Received => [.. _received.Keys];

    public int Hellos => Volatile.Read(ref _hellos);

    public long MaxSeq => _received.Keys.Select(k => k.Seq).DefaultIfEmpty(0).Max();

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port, o =>
        {
            if (certificate is not null)
            {
                o.UseHttps(certificate);
            }
        }));
        _app = builder.Build();
        _app.UseWebSockets();
        _app.Map("/ingest", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest || !context.WebSockets.WebSocketRequestedProtocols.Contains("gateway.v1"))
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync("gateway.v1");
            _sockets.Add(socket);
            await Serve(socket, context.RequestAborted);
        });
        await _app.StartAsync();
        Port = new Uri(_app.Urls.First()).Port;
    }

    public void AbortSockets()
    {
        while (_sockets.TryTake(out var s))
        {
            s.Abort();
        }
    }

    public async Task StopAsync()
    {
        AbortSockets();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async Task WaitForSeqAsync(long seq, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (MaxSeq < seq)
        {
            Assert.True(DateTime.UtcNow < deadline, $"upstream received up to seq {MaxSeq}, waited for {seq}");
            await Task.Delay(20);
        }
    }

    private async Task Serve(WebSocket socket, CancellationToken token)
    {
        var buffer = new byte[128 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), token);
                    count += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                long last = -1;
                switch (MessageParser.Parse(buffer.AsSpan(0, count)))
                {
                    case HelloMessage:
                        Interlocked.Increment(ref _hellos);
                        break;
                    case ReadingMessage r:
                        _received.TryAdd((r.Device, r.Seq), 0);
                        last = r.Seq;
                        break;
                    case EventMessage e:
                        _received.TryAdd((e.Device, e.Seq), 0);
                        last = e.Seq;
                        break;
                }

                if (last >= 0 && last % 50 == 0)
                {
                    await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(MessageWriter.ToJson(new AckMessage(last))), WebSocketMessageType.Text, true, token);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // aborted on purpose, or the gateway went away
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
