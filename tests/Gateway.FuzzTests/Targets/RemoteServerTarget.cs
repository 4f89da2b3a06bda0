using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Gateway.FirmwareSim;
using Gateway.FuzzTests.Engine;
using Gateway.Hardware.Remote;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.FuzzTests.Targets;

/// <summary>
/// The firmware-sim socket protocol, server side, as a black box: a real <see cref="RemoteBoardServer"/> serving the
/// simulated board on a Unix socket, one client connection, one request line per input. Property: every line gets
/// exactly one response line that is JSON, either ok or with a documented error kind and a message, and the
/// connection stays up (docs/protocol.md: "the connection stays up after any error").
/// </summary>
internal sealed class RemoteServerTarget : IFuzzTarget, IDisposable
{
    private static readonly HashSet<string> Kinds =
        [RemoteErrors.Nack, RemoteErrors.Timeout, RemoteErrors.Checksum, RemoteErrors.WrongChip, RemoteErrors.Implausible, RemoteErrors.NotFound, RemoteErrors.Busy, RemoteErrors.Hardware, RemoteErrors.BadRequest];

    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    private readonly string _dir = Directory.CreateTempSubdirectory("gw-fuzz-sim-").FullName;
    private readonly RemoteBoardServer _server;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    public RemoteServerTarget()
    {
        var board = SimulatorSetup.Create(null, 42, new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero)));
        var path = Path.Combine(_dir, "sim.sock");
        _server = new RemoteBoardServer(board, board.Faults, path, "fuzz");
        _server.Start();
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(path));
        _stream = new NetworkStream(_socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
    }

    public string Name => "remote-server";

    public IReadOnlyList<byte[]> Corpus { get; } = Engine.Corpus.RemoteRequests();

    // Far below LineStream's 1 MiB bound, over which the server closes the connection by design.
    public int MaxInputBytes => 64 * 1024;

    public bool Synchronous => false;

    // Measured over the process (client and server threads): the line, its parse, the board's work, the answer.
    public long AllocationLimit(int length) => (1024 * 1024) + (96L * length);

    public string Run(byte[] input)
    {
        // One request per line: newlines inside the input become spaces; an empty line is skipped by the server.
        var line = input.Select(b => b == (byte)'\n' ? (byte)' ' : b).ToArray();
        if (line.Length == 0 || Encoding.UTF8.GetString(line).Length == 0)
        {
            return "empty (skipped)";
        }

        _stream.Write([.. line, (byte)'\n']);
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        while (true)
        {
            string? answer;
            try
            {
                answer = _reader.ReadLineAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                throw new FuzzPropertyException($"no answer within {AnswerTimeout.TotalSeconds:0} s");
            }

            if (answer is null)
            {
                throw new FuzzPropertyException("the server closed the connection");
            }

            using var json = JsonDocument.Parse(answer);
            var root = json.RootElement;
            if (root.TryGetProperty("event", out _) && !root.TryGetProperty("id", out _))
            {
                continue; // an edge pushed by a subscription the fuzzer made
            }

            if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
            {
                return "ok";
            }

            var kind = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (kind is null || !Kinds.Contains(kind) || string.IsNullOrWhiteSpace(message))
            {
                throw new FuzzPropertyException($"undocumented answer: {answer}");
            }

            return "error " + kind;
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }
}
