using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gateway.Mqtt.Formatter;
using Gateway.Mqtt.Framing;
using Gateway.Mqtt.Packets;

namespace Gateway.Mqtt.Tests.Client;

/// <summary>
/// A broker that does exactly what a test tells it, on a loopback port: accept, read the client's packets (decoded
/// with our codec), send well-formed or deliberately broken bytes, drop the socket. Every wait is bounded.
/// </summary>
internal sealed class ScriptedBroker : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<BrokerConnection> _connections = [];

    public ScriptedBroker() => _listener.Start();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public MqttClientOptions Options(string clientId = "test", bool cleanSession = true, int keepAliveSeconds = 0, double timeoutSeconds = 5) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        ClientId = clientId,
        CleanSession = cleanSession,
        KeepAlivePeriod = TimeSpan.FromSeconds(keepAliveSeconds),
        Timeout = TimeSpan.FromSeconds(timeoutSeconds),
    };

    public async Task<BrokerConnection> AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var socket = await _listener.AcceptSocketAsync(timeout.Token);
        var connection = new BrokerConnection(socket);
        _connections.Add(connection);
        return connection;
    }

    /// <summary>Accepts, reads the CONNECT and answers CONNACK.</summary>
    public async Task<BrokerConnection> AcceptClientAsync(bool sessionPresent = false)
    {
        var connection = await AcceptAsync();
        Assert.IsType<MqttConnectPacket>(await connection.ReadAsync());
        await connection.SendAsync(new MqttConnAckPacket(sessionPresent, MqttConnectReturnCode.ConnectionAccepted));
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        _listener.Stop();
        _listener.Dispose();
    }
}

/// <summary>One accepted client connection on the <see cref="ScriptedBroker"/>.</summary>
internal sealed class BrokerConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;

    public BrokerConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    /// <summary>The next packet from the client, with the raw first byte (to see DUP/QoS/RETAIN flags); null when the client closed the connection.</summary>
    public async Task<(MqttPacket Packet, byte FirstByte)?> ReadRawAsync(TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? ScriptedBroker.Patience);
        while (true)
        {
            var result = await _reader.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            if (MqttFrameReader.TryRead(ref buffer, MqttRemainingLength.Maximum, out var frame))
            {
                var first = (byte)(((byte)frame.Type << 4) | frame.Flags);
                var packet = MqttPacketDecoder.Decode(frame);
                _reader.AdvanceTo(buffer.Start); // more packets may wait behind this one
                return (packet, first);
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>The next packet from the client; fails the test when the connection closed instead.</summary>
    public async Task<MqttPacket> ReadAsync(TimeSpan? patience = null) =>
        (await ReadRawAsync(patience))?.Packet ?? throw new InvalidOperationException("the client closed the connection");

    /// <summary>Reads until the client closes the connection; returns the packets it sent before that.</summary>
    public async Task<List<MqttPacket>> ReadUntilClosedAsync()
    {
        var packets = new List<MqttPacket>();
        try
        {
            while (await ReadRawAsync() is { } next)
            {
                packets.Add(next.Packet);
            }
        }
        catch (IOException)
        {
            // reset by the client: closed as well
        }

        return packets;
    }

    public Task SendAsync(MqttPacket packet) => SendRawAsync(MqttPacketEncoder.Encode(packet));

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Drops the connection without a word, as a crashed broker would.</summary>
    public void Drop() => _socket.Close();

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
