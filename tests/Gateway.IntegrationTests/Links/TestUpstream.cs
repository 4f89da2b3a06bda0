using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gateway.Protocol;

namespace Gateway.IntegrationTests.Links;

/// <summary>
/// A minimal upstream that speaks the protocol: records every (device, seq) it receives, acknowledges cumulatively,
/// and can be killed, restarted on the same port, or made to drop its connections mid-stream.
/// </summary>
internal sealed class TestUpstream : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Device, long Seq), byte> _received = new();
    private readonly ConcurrentBag<string> _types = [];
    private readonly ConcurrentBag<Socket> _connections = [];
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;

    /// <summary>Creates the upstream; with a certificate it speaks TLS.</summary>
    public TestUpstream(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null) => _certificate = certificate;

    public int Port { get; set; }

    /// <summary>
    /// While true, a new connection is never read: the upstream only sends a <c>ping</c> every 500 ms (so the link
    /// keeps hearing from it) through a 4 KiB receive buffer, like a peer that is alive but stuck.
    /// </summary>
    public bool NeverRead { get; set; }

    public IReadOnlyCollection<(string Device, long Seq)> Received => [.. _received.Keys];

    public int Hellos => _types.Count(t => t == "hello");

    public long MaxSeq => _received.Keys.Select(k => k.Seq).DefaultIfEmpty(0).Max();

    public void Start()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        if (NeverRead)
        {
            _listener.Server.ReceiveBufferSize = 4096; // inherited by accepted sockets; set before listen so the window stays small
        }

        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptLoop(_stop.Token);
    }

    /// <summary>Closes every connection without a word, as a crashing peer does; the listener stays.</summary>
    public void DropConnections()
    {
        while (_connections.TryTake(out var s))
        {
            s.Dispose();
        }
    }

    /// <summary>Stops listening and drops every connection (the upstream is down).</summary>
    public async Task KillAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        DropConnections();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
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

    private async Task AcceptLoop(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections.Add(socket);
            _ = Task.Run(() => NeverRead ? PingWithoutReading(socket, token) : Serve(socket, token), CancellationToken.None);
        }
    }

    private async Task Serve(Socket socket, CancellationToken token)
    {
        try
        {
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_certificate is not null)
            {
                var ssl = new System.Net.Security.SslStream(stream);
                await ssl.AuthenticateAsServerAsync(_certificate, clientCertificateRequired: false, checkCertificateRevocation: false);
                stream = ssl;
            }

            await using var owned = stream;
            var reader = PipeReader.Create(stream);
            var ack = new ArrayBufferWriter<byte>();
            while (true)
            {
                var result = await reader.ReadAsync(token);
                var buffer = result.Buffer;
                long last = -1;
                while (NdjsonFraming.TryReadLine(ref buffer, ProtocolInfo.DefaultMaxLineLength, out var line) == LineStatus.Line)
                {
                    var message = MessageParser.Parse(line.ToArray());
                    _types.Add(message.Type);
                    switch (message)
                    {
                        case ReadingMessage r:
                            _received.TryAdd((r.Device, r.Seq), 0);
                            last = r.Seq;
                            break;
                        case EventMessage e:
                            _received.TryAdd((e.Device, e.Seq), 0);
                            last = e.Seq;
                            break;
                        case PingMessage:
                            ack.Clear();
                            MessageWriter.WriteLine(new PongMessage(), ack);
                            await stream.WriteAsync(ack.WrittenMemory, token);
                            break;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (last >= 0)
                {
                    // Cumulative: everything this connection received, which starts at the link's cursor, is stored.
                    ack.Clear();
                    MessageWriter.WriteLine(new AckMessage(last), ack);
                    await stream.WriteAsync(ack.WrittenMemory, token);
                }

                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // dropped on purpose, the gateway went away, or it refused our certificate
        }
    }

    private static async Task PingWithoutReading(Socket socket, CancellationToken token)
    {
        try
        {
            socket.ReceiveBufferSize = 4096;
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            for (var i = 0; i < 1_200 && !token.IsCancellationRequested; i++) // at most 10 minutes
            {
                await stream.WriteAsync("{\"type\":\"ping\"}\n"u8.ToArray(), token);
                await Task.Delay(500, token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the gateway gave up on us, or the test ended
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _stop.Dispose();
    }
}
