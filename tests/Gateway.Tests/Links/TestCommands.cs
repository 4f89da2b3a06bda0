using System.Text.Json.Nodes;
using Gateway.Commands;
using Gateway.Configuration;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Links;

/// <summary>
/// A real command pipeline for session tests: one key allowed <c>ping</c> and <c>gate</c>; <c>gate</c> runs until the
/// test opens it (a slow command). Commands are signed on the pipeline's own clock.
/// </summary>
internal sealed class TestCommands : IDisposable
{
    private static readonly byte[] Secret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-sessioncmd-").FullName;
    private readonly TimeProvider _time;
    private readonly AuditLog _audit;
    private int _nonce;

    public TestCommands(TimeProvider time, string device = "pi-01")
    {
        _time = time;
        Device = device;
        _audit = new AuditLog(_dir, 1 << 20, 2, NullLogger<AuditLog>.Instance, time);
        var options = new CommandOptions
        {
            Keys = new Dictionary<string, CommandKey> { ["operator"] = new("operator", Secret, new HashSet<string> { "ping", "gate" }) },
            RatePerLink = 1_000,
            RatePerKey = 1_000,
            MaxInFlight = 1_000,
        };
        Pipeline = new CommandPipeline(options, new GatewayOptions { DeviceId = device, StateDirectory = _dir }, [new Ping(), Gate], _audit, time);
    }

    public string Device { get; }

    public CommandPipeline Pipeline { get; }

    public GateHandler Gate { get; } = new();

    public CommandMessage Signed(string name, string id) =>
        CommandSigning.Create("operator", Secret, Device, id, name, null, _time.GetUtcNow(), $"nonce-{Interlocked.Increment(ref _nonce):0000}");

    public void Dispose()
    {
        Gate.Open();
        Pipeline.Dispose();
        _audit.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class Ping : ICommandHandler
    {
        public string Name => "ping";

        public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args) => _ => Task.FromResult(new JsonObject { ["pong"] = true });
    }

    /// <summary>A command that runs until <see cref="Open"/>.</summary>
    internal sealed class GateHandler : ICommandHandler
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _entered;

        public string Name => "gate";

        public int Entered => Volatile.Read(ref _entered);

        public void Open() => _open.TrySetResult();

        public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args) => async token =>
        {
            Interlocked.Increment(ref _entered);
            await _open.Task.WaitAsync(token);
            return new JsonObject();
        };
    }
}
