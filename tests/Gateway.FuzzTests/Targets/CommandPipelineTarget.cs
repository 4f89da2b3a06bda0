using System.Text.Json.Nodes;
using Gateway.Commands;
using Gateway.Configuration;
using Gateway.FuzzTests.Engine;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.FuzzTests.Targets;

/// <summary>
/// The whole command path in-process: <see cref="MessageParser"/> → <see cref="CommandPipeline"/> built with real
/// options, a real audit log in a temporary directory and in-memory handlers (as tests/Gateway.Tests/Commands builds
/// it). Property: every command gets exactly one result with its own id and a documented code, nothing thrown.
/// </summary>
internal sealed class CommandPipelineTarget : IFuzzTarget, IDisposable
{
    private static readonly HashSet<string> Codes = [.. typeof(ResultCodes).GetFields().Select(f => (string)f.GetValue(null)!)];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-fuzz-cmd-").FullName;
    private readonly AuditLog _audit;
    private readonly CommandPipeline _pipeline;
    private readonly CommandSource _source;

    public CommandPipelineTarget()
    {
        var options = new CommandOptions
        {
            Keys = new Dictionary<string, CommandKey>
            {
                ["operator"] = new("operator", Engine.Corpus.Secret, new HashSet<string> { "ping", "output.set", "output.get" }),
            },
            RatePerLink = 1_000_000, // the fake clock stands still: rate limits would refuse everything after the first few
            RatePerKey = 1_000_000,
        };
        _audit = new AuditLog(_dir, 256 * 1024, 2, NullLogger<AuditLog>.Instance);
        _pipeline = new CommandPipeline(options, new GatewayOptions { DeviceId = Engine.Corpus.Device, StateDirectory = _dir }, [new PingHandler(), new SwitchHandler()], _audit, _time);
        _source = _pipeline.OpenSource("fuzz", "127.0.0.1:1");
    }

    public string Name => "command-pipeline";

    public IReadOnlyList<byte[]> Corpus { get; } = Engine.Corpus.Commands();

    public int MaxInputBytes => ProtocolInfo.DefaultMaxLineLength;

    public bool Synchronous => true;

    // Parse, canonicalize, verify, audit (one line) and run: linear in the input.
    public long AllocationLimit(int length) => (512 * 1024) + (96L * length);

    public string Run(byte[] input)
    {
        if (MessageParser.Parse(input) is not CommandMessage command)
        {
            return "not a command";
        }

        var result = _pipeline.HandleAsync(command, _source, CancellationToken.None).GetAwaiter().GetResult();
        if (!string.Equals(result.Id, command.Id, StringComparison.Ordinal))
        {
            throw new FuzzPropertyException($"result for '{result.Id}' answers command '{command.Id}'");
        }

        if (!result.Ok && (result.Code is null || !Codes.Contains(result.Code) || string.IsNullOrWhiteSpace(result.Message)))
        {
            throw new FuzzPropertyException($"undocumented refusal: code '{result.Code}', message '{result.Message}'");
        }

        _ = MessageWriter.ToJson(result); // the result can be sent
        return result.Ok ? "ok" : result.Code!;
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        _audit.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class PingHandler : ICommandHandler
    {
        public string Name => "ping";

        public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
        {
            args.Only();
            return _ => Task.FromResult(new JsonObject { ["pong"] = true });
        }
    }

    // output.set and output.get on one in-memory relay, validated as the built-in commands do.
    private sealed class SwitchHandler : ICommandHandler
    {
        private bool _on;

        public string Name => "output.set";

        public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
        {
            args.Only("output", "on", "for");
            var output = args.String("output");
            if (output != "relay")
            {
                throw new CommandArgumentException($"no output '{output}'");
            }

            var on = args.Bool("on");
            var duration = args.OptionalDuration("for", TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
            return _ =>
            {
                var was = _on;
                _on = on;
                return Task.FromResult(new JsonObject { ["output"] = output, ["on"] = on, ["was"] = was, ["for"] = duration?.ToString() });
            };
        }
    }
}
