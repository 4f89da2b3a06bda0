using System.Net;
using System.Net.Sockets;
using Gateway.Mqtt.Packets;
using Gateway.Mqtt.Tests.Client;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Mqtt.Tests.Channels;

/// <summary>
/// <see cref="MqttClientOptions.StreamFactory"/>: the caller's byte stream in place of the client's own TCP connect,
/// held to the same deadline and the same exceptions.
/// </summary>
public sealed class StreamFactoryTests : IAsyncLifetime
{
    private readonly ScriptedBroker _broker = new();
    private readonly MqttClient _client = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _broker.DisposeAsync();
    }

    // A loopback port nobody listens on: dialling it is refused at once.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task The_session_runs_over_the_factorys_stream_and_the_configured_host_is_not_dialled()
    {
        var opened = 0;
        var options = new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = ClosedPort(),
            ClientId = "over-a-stream",
            KeepAlivePeriod = TimeSpan.Zero,
            StreamFactory = async token =>
            {
                Interlocked.Increment(ref opened);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _broker.Port), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };

        var connecting = _client.ConnectAsync(options, Token);
        var connection = await _broker.AcceptAsync();
        Assert.Equal("over-a-stream", Assert.IsType<MqttConnectPacket>(await connection.ReadAsync()).ClientId);
        await connection.SendAsync(new MqttConnAckPacket(false, MqttConnectReturnCode.ConnectionAccepted));
        await connecting.WaitAsync(ScriptedBroker.Patience, Token);
        await _client.PublishAsync("t", "x"u8.ToArray(), cancellationToken: Token);

        Assert.Equal("t", Assert.IsType<MqttPublishPacket>(await connection.ReadAsync()).Topic);
        Assert.Equal(1, opened);
    }

    [Fact]
    public async Task A_factory_that_does_not_finish_within_the_timeout_is_a_timeout_on_the_clients_clock()
    {
        var time = new FakeTimeProvider();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new MqttClientOptions
        {
            Timeout = TimeSpan.FromSeconds(5),
            TimeProvider = time,
            StreamFactory = async token =>
            {
                called.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
                throw new InvalidOperationException("unreachable");
            },
        };

        var connecting = _client.ConnectAsync(options, Token);
        await called.Task.WaitAsync(ScriptedBroker.Patience, Token);
        time.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<MqttTimeoutException>(() => connecting.WaitAsync(ScriptedBroker.Patience, Token));
        Assert.Contains("took longer than 5 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_io_failure_in_the_factory_is_a_communication_exception_naming_the_broker()
    {
        var options = new MqttClientOptions
        {
            Host = "broker.test",
            Port = 1883,
            StreamFactory = _ => ValueTask.FromException<Stream>(new IOException("the pipe is gone")),
        };

        var error = await Assert.ThrowsAsync<MqttCommunicationException>(() => _client.ConnectAsync(options, Token));

        Assert.Contains("broker.test:1883: the pipe is gone", error.Message, StringComparison.Ordinal);
        Assert.False(_client.IsConnected);
    }
}
