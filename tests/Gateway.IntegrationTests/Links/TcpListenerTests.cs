using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Links;

/// <summary>The TCP listener with real sockets: live readings for consoles, and every kind of bad peer.</summary>
public sealed class TcpListenerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<(GatewayProcess Gateway, int Port)> Start(params string[] extra)
    {
        var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:DeviceId=listen-01", "--Gateway:Sampling:Interval=100ms", "--Gateway:Listener:Tcp=127.0.0.1:0", .. extra]);
        var line = await gateway.WaitForLineAsync("Listener tcp listening on 127.0.0.1:", Timeout);
        return (gateway, int.Parse(line[(line.LastIndexOf(':') + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<(TcpClient Client, StreamReader Reader, NetworkStream Stream)> Connect(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        return (client, new StreamReader(stream, Encoding.UTF8), stream);
    }

    /// <summary>The next message of <paramref name="type"/> on an NDJSON connection (others skipped), within the timeout; also the TLS listener's tests'.</summary>
    internal static async Task<JsonElement> NextOfType(StreamReader reader, string type)
    {
        using var limit = new CancellationTokenSource(Timeout);
        while (true)
        {
            var line = await reader.ReadLineAsync(limit.Token) ?? throw new IOException($"closed before a '{type}' arrived");
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("type").GetString() == type)
            {
                return doc.RootElement.Clone();
            }
        }
    }

    [Fact]
    public async Task A_console_gets_hello_then_live_readings_and_pong_for_ping()
    {
        var (gateway, port) = await Start();
        using (gateway)
        {
            var (client, reader, stream) = await Connect(port);
            using (client)
            {
                var hello = await NextOfType(reader, "hello");
                Assert.Equal("listen-01", hello.GetProperty("device").GetString());
                var reading = await NextOfType(reader, "reading");
                Assert.True(reading.GetProperty("seq").GetInt64() >= hello.GetProperty("nextSeq").GetInt64());

                await stream.WriteAsync("{\"type\":\"ping\"}\n"u8.ToArray(), TestContext.Current.CancellationToken);
                await NextOfType(reader, "pong");
            }

            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }
    }

    [Theory]
    [InlineData("this is not json", "malformed_json")]
    [InlineData("{\"type\":\"teleport\"}", "unknown_type")]
    [InlineData("{\"type\":\"ack\",\"seq\":\"x\"}", "bad_field")]
    [InlineData("{\"seq\":1}", "bad_field")]
    [InlineData("invalid-utf8", "invalid_utf8")]
    public async Task Bad_input_gets_an_error_reply_and_the_connection_stays_up(string input, string code)
    {
        var (gateway, port) = await Start();
        using (gateway)
        {
            var (client, reader, stream) = await Connect(port);
            using (client)
            {
                await NextOfType(reader, "hello");
                byte[] bytes = input == "invalid-utf8" ? [.. "{\"type\":\"ping\",\"x\":\""u8, 0xC3, 0x28, .. "\"}\n"u8] : Encoding.UTF8.GetBytes(input + "\n");
                await stream.WriteAsync(bytes, TestContext.Current.CancellationToken);

                var error = await NextOfType(reader, "error");
                Assert.Equal(code, error.GetProperty("code").GetString());
                await stream.WriteAsync("{\"type\":\"ping\"}\n"u8.ToArray(), TestContext.Current.CancellationToken);
                await NextOfType(reader, "pong"); // still up
            }

            Assert.DoesNotContain(gateway.Stdout, l => l.Contains("crit:", StringComparison.Ordinal));
            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }
    }

    [Fact]
    public async Task An_oversized_line_gets_an_error_and_the_connection_is_closed()
    {
        var (gateway, port) = await Start("--Gateway:Listener:MaxLineLength=1024");
        using (gateway)
        {
            var (client, reader, stream) = await Connect(port);
            using (client)
            {
                await NextOfType(reader, "hello");
                await stream.WriteAsync(Encoding.UTF8.GetBytes(new string('x', 5000)), TestContext.Current.CancellationToken);

                var error = await NextOfType(reader, "error");
                Assert.Equal("line_too_long", error.GetProperty("code").GetString());
                await Assert.ThrowsAsync<IOException>(() => NextOfType(reader, "never"));
            }

            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }
    }

    [Fact]
    public async Task One_connection_too_many_is_told_so()
    {
        var (gateway, port) = await Start("--Gateway:Listener:MaxConnections=2");
        using (gateway)
        {
            var (a, ra, _) = await Connect(port);
            var (b, rb, _) = await Connect(port);
            await NextOfType(ra, "hello");
            await NextOfType(rb, "hello");
            var (c, rc, _) = await Connect(port);
            using (a)
            using (b)
            using (c)
            {
                var error = await NextOfType(rc, "error");
                Assert.Equal("too_many_connections", error.GetProperty("code").GetString());
            }

            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }
    }

    [Fact]
    public async Task A_silent_peer_is_told_it_was_idle_and_disconnected()
    {
        var (gateway, port) = await Start("--Gateway:Listener:IdleTimeout=2s");
        using (gateway)
        {
            var (client, reader, stream) = await Connect(port);
            using (client)
            {
                await stream.WriteAsync("{\"ty"u8.ToArray(), TestContext.Current.CancellationToken); // a trickle that never completes a line
                var error = await NextOfType(reader, "error");
                Assert.Equal("idle_timeout", error.GetProperty("code").GetString());
            }

            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }
    }

    [Fact]
    public async Task Empty_and_unparsable_lines_do_not_keep_an_idle_connection_open()
    {
        var (gateway, port) = await Start("--Gateway:Listener:IdleTimeout=2s");
        using (gateway)
        {
            var (client, reader, stream) = await Connect(port);
            using (client)
            {
                await NextOfType(reader, "hello");

                // A line every 300 ms, none of them a valid message: the slot must still be freed after IdleTimeout.
                using var stop = new CancellationTokenSource(Timeout);
                var trickle = Task.Run(async () =>
                {
                    for (var i = 0; i < 100 && !stop.IsCancellationRequested; i++)
                    {
                        try
                        {
                            await stream.WriteAsync(i % 2 == 0 ? "\n"u8.ToArray() : "not a message\n"u8.ToArray(), stop.Token);
                            await Task.Delay(300, stop.Token);
                        }
                        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
                        {
                            return;
                        }
                    }
                }, TestContext.Current.CancellationToken);

                using var limit = new CancellationTokenSource(Timeout);
                string? line;
                do
                {
                    line = await reader.ReadLineAsync(limit.Token);
                }
                while (line is not null && !line.Contains("\"idle_timeout\"", StringComparison.Ordinal));
                await stop.CancelAsync();
                await trickle;
                Assert.NotNull(line);
            }

            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }
    }

    [Fact]
    public async Task One_address_gets_at_most_MaxConnectionsPerAddress_and_another_address_still_gets_in()
    {
        var (gateway, port) = await Start("--Gateway:Listener:MaxConnectionsPerAddress=2");
        using (gateway)
        {
            var (a, ra, _) = await Connect(port);
            var (b, rb, _) = await Connect(port);
            await NextOfType(ra, "hello");
            await NextOfType(rb, "hello");
            var (c, rc, _) = await Connect(port);
            using var other = new TcpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.2"), 0));
            using (a)
            using (b)
            using (c)
            {
                var error = await NextOfType(rc, "error");
                Assert.Equal("too_many_connections", error.GetProperty("code").GetString());
                Assert.Contains("from one address", error.GetProperty("message").GetString(), StringComparison.Ordinal);

                // Slots are per address: another address still gets in.
                await other.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
                await NextOfType(new StreamReader(other.GetStream(), Encoding.UTF8), "hello");
            }

            await gateway.WaitForLineAsync("Listener tcp refused 127.0.0.1:", Timeout);
            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }
    }

    [Fact]
    public async Task A_peer_that_never_reads_is_dropped_without_growing_memory()
    {
        var (gateway, port) = await Start("--Gateway:Sampling:Interval=10ms", "--Gateway:Listener:WriteTimeout=1s");
        using (gateway)
        {
            using var client = new TcpClient { ReceiveBufferSize = 4096 };
            await client.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
            client.Client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveBuffer, 4096);

            // Never read: the gateway's writes block, and after WriteTimeout (or once it is 10,000 behind) it lets go.
            await gateway.WaitForLineAsync("Listener: disconnected 127.0.0.1:", Timeout);

            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        }
    }

    [Fact]
    public async Task A_listener_beyond_loopback_is_refused_at_start_saying_why()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:Listener:Tcp=0.0.0.0:7000"]);

        Assert.Equal(78, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stderr, l => l.Contains("Gateway:Listener:Tcp: '0.0.0.0:7000' is not allowed; expected a loopback address", StringComparison.Ordinal));
    }
}
