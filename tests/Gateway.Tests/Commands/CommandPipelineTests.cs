using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Commands;
using Gateway.Configuration;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Commands;

/// <summary>The command pipeline: every refusal gets its precise code and has no side effect; repeats do not run again.</summary>
public sealed class CommandPipelineTests : IDisposable
{
    private static readonly byte[] OperatorSecret = Convert.FromBase64String("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    private static readonly byte[] ViewerSecret = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));
    private readonly CountingClock _timers;
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-cmd-").FullName;
    private readonly Switch _switch = new();
    private readonly AuditLog _audit;
    private readonly CommandPipeline _pipeline;
    private readonly CommandSource _source;
    private int _nonce;

    public CommandPipelineTests()
    {
        var options = new CommandOptions
        {
            Keys = new Dictionary<string, CommandKey>
            {
                ["operator"] = new("operator", OperatorSecret, new HashSet<string> { "ping", "output.set", "slow", "nope" }),
                ["viewer"] = new("viewer", ViewerSecret, new HashSet<string> { "ping" }),
            },
            RatePerLink = 1000,
            RatePerKey = 1000,
            MaxArgsBytes = 64,
            MaxInFlight = 1,
            Timeout = TimeSpan.FromSeconds(5),
        };
        _audit = new AuditLog(_dir, 1 << 20, 3, NullLogger<AuditLog>.Instance);
        _timers = new CountingClock(_time);
        _pipeline = new CommandPipeline(options, new GatewayOptions { DeviceId = "gw-01", StateDirectory = _dir }, [new Ping(), _switch, new Slow()], _audit, _timers);
        _source = _pipeline.OpenSource("test", "127.0.0.1:1");
    }

    public void Dispose()
    {
        _pipeline.Dispose();
        _audit.Dispose();
        Directory.Delete(_dir, true);
    }

    private CommandMessage Signed(string name = "output.set", string? args = """{"on":true}""", string key = "operator", string id = "c-1", string device = "gw-01", TimeSpan? age = null, string? nonce = null) =>
        CommandSigning.Create(key, key == "viewer" ? ViewerSecret : OperatorSecret, device, id, name, args, _time.GetUtcNow() - (age ?? TimeSpan.Zero), nonce ?? $"nonce-{++_nonce:0000}");

    private Task<ResultMessage> Send(CommandMessage command) => _pipeline.HandleAsync(command, _source, CancellationToken.None);

    public static TheoryData<string, string> Refusals() => new()
    {
        { "unsigned", ResultCodes.NotSigned },
        { "no key", ResultCodes.NotSigned },
        { "bad signature", ResultCodes.BadSignature },
        { "unknown key", ResultCodes.UnknownKey },
        { "wrong device", ResultCodes.WrongDevice },
        { "expired", ResultCodes.Expired },
        { "future", ResultCodes.Future },
        { "not allowed", ResultCodes.NotAllowed },
        { "unknown command", ResultCodes.UnknownCommand },
        { "bad arguments", ResultCodes.BadArguments },
        { "unknown argument", ResultCodes.BadArguments },
        { "oversized", ResultCodes.TooLarge },
        { "bad nonce", ResultCodes.BadField },
        { "bad ts", ResultCodes.BadField },
        { "args not an object", ResultCodes.BadField },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Each_refusal_has_its_code_and_the_output_is_not_touched(string refusal, string code)
    {
        var good = Signed();
        var command = refusal switch
        {
            "unsigned" => good with { Signature = null },
            "no key" => good with { Key = null },
            "bad signature" => good with { Signature = new string('0', 64) },
            "unknown key" => CommandSigning.Create("stranger", OperatorSecret, "gw-01", "c-1", "output.set", """{"on":true}""", _time.GetUtcNow(), "nonce-x001"),
            "wrong device" => Signed(device: "gw-02"),
            "expired" => Signed(age: TimeSpan.FromSeconds(31)),
            "future" => Signed(age: TimeSpan.FromSeconds(-31)),
            "not allowed" => Signed(key: "viewer"),
            "unknown command" => Signed(name: "nope"),
            "bad arguments" => Signed(args: """{"on":"yes"}"""),
            "unknown argument" => Signed(args: """{"on":true,"pin":4}"""),
            "oversized" => Signed(args: $$"""{"on":true,"pad":"{{new string('x', 80)}}"}"""),
            "bad nonce" => Signed(nonce: "short"),
            "bad ts" => good with { Timestamp = "yesterday" },
            _ => good with { Args = "[1]" },
        };

        var result = await Send(command);

        Assert.False(result.Ok);
        Assert.Equal(code, result.Code);
        Assert.Equal(command.Id, result.Id);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.Equal(0, _switch.Runs);
    }

    [Fact]
    public async Task A_signed_allowed_command_runs_and_its_data_comes_back()
    {
        var result = await Send(Signed());

        Assert.True(result.Ok, result.Message);
        Assert.Equal(1, _switch.Runs);
        Assert.True(JsonNode.Parse(result.Data!)!["on"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_repeated_id_returns_the_first_result_without_running_again()
    {
        var first = await Send(Signed(id: "c-7"));
        var exactReplay = await Send(Signed(id: "c-7", nonce: "nonce-0001"));
        var resigned = await Send(Signed(id: "c-7"));

        Assert.True(first.Ok);
        Assert.True(exactReplay.Duplicate);
        Assert.True(resigned.Duplicate);
        Assert.Equal(first.Data, resigned.Data);
        Assert.Equal(1, _switch.Runs);
    }

    [Fact]
    public async Task An_id_reused_for_a_different_command_is_refused()
    {
        await Send(Signed(id: "c-8"));
        var result = await Send(Signed(id: "c-8", args: """{"on":false}"""));

        Assert.Equal(ResultCodes.DuplicateId, result.Code);
        Assert.Equal(1, _switch.Runs);
    }

    [Fact]
    public async Task A_nonce_used_again_with_a_new_id_is_a_replay()
    {
        await Send(Signed(id: "c-1", nonce: "nonce-same"));
        var result = await Send(Signed(id: "c-2", nonce: "nonce-same"));

        Assert.Equal(ResultCodes.ReplayedNonce, result.Code);
        Assert.Equal(1, _switch.Runs);
    }

    [Fact]
    public async Task A_refused_signature_does_not_burn_the_id_so_the_genuine_command_still_runs()
    {
        var forged = Signed(id: "c-9") with { Signature = new string('1', 64) };
        Assert.Equal(ResultCodes.BadSignature, (await Send(forged)).Code);

        Assert.True((await Send(Signed(id: "c-9"))).Ok);
    }

    [Fact]
    public async Task A_command_that_outlasts_the_timeout_is_answered_with_timeout()
    {
        var running = Send(Signed(name: "slow", args: null));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(ResultCodes.Timeout, (await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Code);
    }

    // Issue 17, item 5: a command costs no timer of its own (each used to start a timeout timer); the one deadline
    // timer is only armed for a command still running when its handler returns.
    [Fact]
    public async Task Commands_that_finish_at_once_start_no_timer()
    {
        var before = _timers.TimersCreated;
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await Send(Signed(name: "ping", args: null, id: $"p-{i}"))).Ok);
        }

        Assert.Equal(before, _timers.TimersCreated);
    }

    [Fact]
    public async Task More_commands_than_may_run_at_once_are_answered_busy()
    {
        var running = Send(Signed(name: "slow", args: null, id: "s-1"));
        var second = await Send(Signed(name: "slow", args: null, id: "s-2"));

        Assert.Equal(ResultCodes.Busy, second.Code);
        _time.Advance(TimeSpan.FromSeconds(6));
        await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Every_command_accepted_or_refused_is_in_the_audit_file_without_the_secret()
    {
        await Send(Signed(id: "a-1"));
        await Send(Signed(id: "a-2", key: "viewer"));

        _audit.Dispose();
        var lines = File.ReadAllLines(Path.Combine(_dir, "audit.log")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(("a-1", "ok", "operator"), (lines[0].GetProperty("id").GetString(), lines[0].GetProperty("outcome").GetString(), lines[0].GetProperty("key").GetString()));
        Assert.Equal(("a-2", "not_allowed", "test", "127.0.0.1:1"), (lines[1].GetProperty("id").GetString(), lines[1].GetProperty("outcome").GetString(), lines[1].GetProperty("link").GetString(), lines[1].GetProperty("peer").GetString()));
        Assert.DoesNotContain("AAECAwQF", File.ReadAllText(Path.Combine(_dir, "audit.log")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"on":"\ud800"}""")]
    [InlineData("""{"\udfff":true}""")]
    [InlineData("""{"on":true,"x":["\ud800\ud800"]}""")]
    public async Task A_lone_surrogate_in_the_args_with_a_bogus_signature_gets_a_result_an_audit_entry_and_a_log_line(string args)
    {
        var logger = new ListLogger();
        using var audit = new AuditLog(_dir, 1 << 20, 3, logger);
        using var pipeline = new CommandPipeline(new CommandOptions { Keys = new Dictionary<string, CommandKey> { ["operator"] = new("operator", OperatorSecret, new HashSet<string> { "output.set" }) } },
            new GatewayOptions { DeviceId = "gw-01", StateDirectory = _dir }, [_switch], audit, _time);
        var command = Signed(id: "sur-1", args: """{"on":true}""") with { Args = args, Signature = new string('0', 64) };

        var result = await pipeline.HandleAsync(command, pipeline.OpenSource("test", "127.0.0.1:9"), CancellationToken.None);

        Assert.False(result.Ok);
        Assert.Equal("sur-1", result.Id);
        Assert.Equal(ResultCodes.BadField, result.Code);
        Assert.Contains(logger.Lines, l => l.Contains("sur-1", StringComparison.Ordinal) && l.Contains(ResultCodes.BadField, StringComparison.Ordinal));
        audit.Dispose();
        Assert.Contains(File.ReadAllLines(audit.UnauthenticatedFilePath), l => l.Contains(ResultCodes.BadField, StringComparison.Ordinal)); // unsigned: summarised (finding 4)
        Assert.Equal(0, _switch.Runs);
    }

    [Fact]
    public async Task A_command_replayed_to_a_restarted_pipeline_within_the_window_does_not_run_again()
    {
        var options = new CommandOptions { Keys = new Dictionary<string, CommandKey> { ["operator"] = new("operator", OperatorSecret, new HashSet<string> { "output.set" }) } };
        var gateway = new GatewayOptions { DeviceId = "gw-01", StateDirectory = _dir };
        var captured = Signed(id: "cap-1");
        using (var before = new CommandPipeline(options, gateway, [_switch], _audit, _time))
        {
            Assert.True((await before.HandleAsync(captured, before.OpenSource("test", "a"), CancellationToken.None)).Ok);
        }

        _time.Advance(TimeSpan.FromSeconds(8)); // "restart"
        using var after = new CommandPipeline(options, gateway, [_switch], _audit, _time);
        var replayed = await after.HandleAsync(captured, after.OpenSource("test", "b"), CancellationToken.None);
        var sameNonce = await after.HandleAsync(Signed(id: "cap-2", nonce: captured.Nonce), after.OpenSource("test", "b"), CancellationToken.None);

        Assert.True(replayed.Duplicate, MessageWriter.ToJson(replayed));
        Assert.Equal(ResultCodes.ReplayedNonce, sameNonce.Code);
        Assert.Equal(1, _switch.Runs);

        _time.Advance(TimeSpan.FromMinutes(5)); // long after the window, the memory is let go (the timestamp check refuses it anyway)
        using var later = new CommandPipeline(options, gateway, [_switch], _audit, _time);
        Assert.Equal(ResultCodes.Expired, (await later.HandleAsync(captured, later.OpenSource("test", "c"), CancellationToken.None)).Code);
        Assert.DoesNotContain("cap-1", File.ReadAllText(Path.Combine(_dir, "replay.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_an_unclean_stop_an_unknown_command_signed_before_the_start_is_refused_and_a_remembered_one_is_still_a_repeat()
    {
        var options = new CommandOptions { Keys = new Dictionary<string, CommandKey> { ["operator"] = new("operator", OperatorSecret, new HashSet<string> { "output.set" }) } };
        var gateway = new GatewayOptions { DeviceId = "gw-01", StateDirectory = Directory.CreateTempSubdirectory("gw-cmd-crash-").FullName };
        var captured = Signed(id: "ran-1");
        var crashed = new CommandPipeline(options, gateway, [_switch], _audit, _time); // never disposed before the restart: no closed line
        Assert.True((await crashed.HandleAsync(captured, crashed.OpenSource("test", "a"), CancellationToken.None)).Ok);
        var signedBefore = Signed(id: "late-1"); // signed before the restart, arriving after it

        _time.Advance(TimeSpan.FromSeconds(2));
        var log = new Gateway.Tests.Links.RecordingLogger();
        using var after = new CommandPipeline(options, gateway, [_switch], _audit, _time, new Gateway.Tests.Links.RecordingLogger<CommandPipeline>(log));
        var source = after.OpenSource("test", "b");
        var repeat = await after.HandleAsync(captured, source, CancellationToken.None);
        var refused = await after.HandleAsync(signedBefore, source, CancellationToken.None);
        var fresh = await after.HandleAsync(Signed(id: "new-1"), source, CancellationToken.None);

        Assert.True(repeat.Duplicate, MessageWriter.ToJson(repeat));
        Assert.Equal(ResultCodes.Expired, refused.Code);
        Assert.Contains("before this gateway started again after an unclean stop", refused.Message, StringComparison.Ordinal);
        Assert.True(fresh.Ok, fresh.Message);
        Assert.Equal(2, _switch.Runs);
        Assert.Contains(log.Lines, l => l.Text.Contains("The last stop was not clean", StringComparison.Ordinal));
        crashed.Dispose();
        Directory.Delete(gateway.StateDirectory, true);
    }

    [Fact]
    public async Task After_a_clean_stop_a_command_signed_just_before_the_start_runs()
    {
        var options = new CommandOptions { Keys = new Dictionary<string, CommandKey> { ["operator"] = new("operator", OperatorSecret, new HashSet<string> { "output.set" }) } };
        var gateway = new GatewayOptions { DeviceId = "gw-01", StateDirectory = Directory.CreateTempSubdirectory("gw-cmd-clean-").FullName };
        using (var before = new CommandPipeline(options, gateway, [_switch], _audit, _time))
        {
            Assert.True((await before.HandleAsync(Signed(id: "ran-1"), before.OpenSource("test", "a"), CancellationToken.None)).Ok);
        }

        var signedBefore = Signed(id: "late-1");
        _time.Advance(TimeSpan.FromSeconds(2));
        var log = new Gateway.Tests.Links.RecordingLogger();
        using var after = new CommandPipeline(options, gateway, [_switch], _audit, _time, new Gateway.Tests.Links.RecordingLogger<CommandPipeline>(log));
        var result = await after.HandleAsync(signedBefore, after.OpenSource("test", "b"), CancellationToken.None);

        Assert.True(result.Ok, result.Message);
        Assert.DoesNotContain(log.Lines, l => l.Text.Contains("not clean", StringComparison.Ordinal));
        Directory.Delete(gateway.StateDirectory, true);
    }

    [Fact]
    public async Task Commands_over_the_rate_of_a_connection_are_refused_until_it_refills()
    {
        var options = new CommandOptions
        {
            Keys = new Dictionary<string, CommandKey> { ["operator"] = new("operator", OperatorSecret, new HashSet<string> { "ping" }) },
            RatePerLink = 2,
            RatePerKey = 100,
        };
        using var pipeline = new CommandPipeline(options, new GatewayOptions { DeviceId = "gw-01", StateDirectory = _dir }, [new Ping()], _audit, _time);
        var source = pipeline.OpenSource("test", "peer");

        var codes = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            codes.Add((await pipeline.HandleAsync(Signed(name: "ping", args: null, id: $"r-{i}"), source, CancellationToken.None)).Code);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        codes.Add((await pipeline.HandleAsync(Signed(name: "ping", args: null, id: "r-9"), source, CancellationToken.None)).Code);

        Assert.Equal([null, null, ResultCodes.RateLimited, null], codes);
    }

    [Fact]
    public async Task Replays_of_a_captured_command_do_not_use_up_the_keys_rate_and_lock_the_operator_out()
    {
        var options = new CommandOptions
        {
            Keys = new Dictionary<string, CommandKey> { ["operator"] = new("operator", OperatorSecret, new HashSet<string> { "ping" }) },
            RatePerLink = 1000,
            RatePerKey = 2,
        };
        using var pipeline = new CommandPipeline(options, new GatewayOptions { DeviceId = "gw-01", StateDirectory = _dir }, [new Ping()], _audit, _time);
        var operatorSource = pipeline.OpenSource("test", "operator:1");
        var attacker = pipeline.OpenSource("test", "attacker:1");
        var captured = Signed(name: "ping", args: null, id: "p-1");

        Assert.True((await pipeline.HandleAsync(captured, operatorSource, CancellationToken.None)).Ok);
        for (var i = 0; i < 10; i++)
        {
            var replayed = await pipeline.HandleAsync(captured, attacker, CancellationToken.None);
            Assert.True(replayed.Duplicate, MessageWriter.ToJson(replayed));
        }

        var next = await pipeline.HandleAsync(Signed(name: "ping", args: null, id: "p-2"), operatorSource, CancellationToken.None);
        Assert.True(next.Ok, MessageWriter.ToJson(next));
    }

    private sealed class Switch : ICommandHandler
    {
        public int Runs;

        public string Name => "output.set";

        public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
        {
            args.Only("on");
            var on = args.Bool("on");
            return _ =>
            {
                Interlocked.Increment(ref Runs);
                return Task.FromResult(new JsonObject { ["on"] = on });
            };
        }
    }

    private sealed class Ping : ICommandHandler
    {
        public string Name => "ping";

        public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args) => _ => Task.FromResult(new JsonObject());
    }

    private sealed class Slow : ICommandHandler
    {
        public string Name => "slow";

        public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args) => async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new JsonObject();
        };
    }
}
