using System.Net;
using Gateway.Configuration;
using Gateway.Links;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;
using Gateway.Sampling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Links;

/// <summary>
/// The one listener host and its session (what TCP, WebSocket and the web console's /ws share) on scripted channels,
/// a real outbox and a fake clock: hello, the inbound rules, the idle deadline, the connection limits, failures.
/// </summary>
public sealed class ListenerHostTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly IPAddress Home = IPAddress.Loopback;
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-listenerhost-").FullName;
    private readonly WatchedTime _time = new();
    private readonly RecordingLogger _log = new();
    private readonly OutboxStore _outbox;
    private readonly TestCommands _commands;
    private readonly ListenerHost _host;
    private readonly List<string> _refusals = [];

    public ListenerHostTests()
    {
        _outbox = new OutboxStore(new OutboxOptions { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = TimeSpan.FromMilliseconds(20) }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        _outbox.Start();
        _commands = new TestCommands(_time);
        var options = new GatewayOptions { DeviceId = _commands.Device, StateDirectory = _dir };
        var listener = new ListenerOptions { MaxConnections = 2, MaxConnectionsPerAddress = 1, IdleTimeout = TimeSpan.FromMinutes(2) };
        _host = new ListenerHost("listener test", listener, options, new LiveFeed(options, _outbox), _commands.Pipeline, _time, _log);
    }

    public async ValueTask DisposeAsync()
    {
        _commands.Dispose();
        await _outbox.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private Task Serve(ScriptedChannel channel, IPAddress? address = null) => _host.ServeAsync(
        address ?? Home,
        channel.Peer,
        _ => Task.FromResult<IMessageChannel>(channel),
        (why, _) =>
        {
            lock (_refusals)
            {
                _refusals.Add(why);
            }

            return Task.CompletedTask;
        },
        Token);

    [Fact]
    public async Task A_session_says_hello_then_answers_ping_bad_input_and_commands_but_never_a_peers_error()
    {
        _outbox.Accept(new SampledReading("env", "temperature", 21.5, "Cel", DateTimeOffset.UtcNow));
        await _outbox.WaitForCommitAsync(0, Token).WaitAsync(Bound, Token);
        var channel = new ScriptedChannel();
        var session = Serve(channel);

        var hello = Assert.IsType<HelloMessage>(await channel.NextSentAsync(Token));
        Assert.Equal((_commands.Device, 2L), (hello.Device, hello.NextSeq));
        channel.Arrives(new PingMessage());
        channel.ArrivesLine("""{"type":"ack"}""");
        channel.ArrivesLine("""{"type":"error","code":"slow_consumer","message":"the console complains"}""");
        channel.Arrives(new AckMessage(1), new PongMessage(), new ResultMessage("r", true));
        channel.Arrives(new GapMessage(1, 2, "test"));
        channel.Arrives(_commands.Signed("ping", "c-1"));
        await channel.NextSentAsync<ResultMessage>(Token); // a command still running when the peer leaves is cancelled with it
        channel.Closes();
        await session.WaitAsync(Bound, Token);

        var sent = channel.Sent;
        Assert.Equal(5, sent.Count);
        Assert.IsType<PongMessage>(sent[1]);
        Assert.Equal(ErrorCodes.BadField, Assert.IsType<ErrorMessage>(sent[2]).Code);
        Assert.Equal(ErrorCodes.UnknownType, Assert.IsType<ErrorMessage>(sent[3]).Code);
        var result = Assert.IsType<ResultMessage>(sent[4]);
        Assert.True(result.Ok && result.Id == "c-1", result.Message);
        Assert.Equal(0, _host.Connections);
        await channel.Disposed.WaitAsync(Bound, Token);
    }

    [Fact]
    public async Task Each_consoles_hello_names_the_seq_of_the_first_reading_it_gets_while_readings_stream_in()
    {
        // The live feed publishes a commit a moment after the outbox makes it: a hello that read the outbox's last
        // commit (not the feed's place) promised a seq the console then saw after an older one (CI, stop 18).
        var feed = new LiveFeed(new GatewayOptions { DeviceId = _commands.Device, StateDirectory = _dir }, _outbox);
        var host = new ListenerHost("listener feed", new ListenerOptions { MaxConnections = 2, MaxConnectionsPerAddress = 2, IdleTimeout = TimeSpan.FromMinutes(2) }, new GatewayOptions { DeviceId = _commands.Device, StateDirectory = _dir }, feed, _commands.Pipeline, _time, _log);
        await feed.StartAsync(Token);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var producer = Task.Run(
            async () =>
            {
                for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
                {
                    _outbox.Accept(new SampledReading("env", "temperature", i, "Cel", DateTimeOffset.UtcNow));
                    await Task.Delay(1, stop.Token);
                }
            },
            stop.Token);

        var mismatches = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            var channel = new ScriptedChannel();
            var session = host.ServeAsync(Home, channel.Peer, _ => Task.FromResult<IMessageChannel>(channel), (_, _) => Task.CompletedTask, Token);
            var hello = Assert.IsType<HelloMessage>(await channel.NextSentAsync(Token));
            var first = await channel.NextSentAsync<ReadingMessage>(Token);
            if (first.Seq != hello.NextSeq)
            {
                mismatches.Add($"hello nextSeq {hello.NextSeq}, first reading seq {first.Seq}");
            }

            channel.Closes();
            await session.WaitAsync(Bound, Token);
        }

        await stop.CancelAsync();
        await producer.ContinueWith(static _ => { }, TaskScheduler.Default);
        await feed.StopAsync(Token);
        Assert.Empty(mismatches);
    }

    [Fact]
    public async Task A_console_silent_past_the_idle_timeout_is_told_and_disconnected_and_bad_lines_do_not_count_as_activity()
    {
        var channel = new ScriptedChannel();
        var session = Serve(channel);
        Assert.IsType<HelloMessage>(await channel.NextSentAsync(Token));
        await _time.TimerSet.WaitAsync(Bound, Token); // the first receive's allowance: 2 min

        _time.Fake.Advance(TimeSpan.FromMinutes(1));
        channel.ArrivesLine("not json");
        Assert.Equal(ErrorCodes.MalformedJson, Assert.IsType<ErrorMessage>(await channel.NextSentAsync(Token)).Code);
        await _time.TimerSet.WaitAsync(Bound, Token); // the next receive's allowance: what is left, 1 min
        _time.Fake.Advance(TimeSpan.FromSeconds(59));
        Assert.False(session.IsCompleted);
        _time.Fake.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("idle_timeout", Assert.IsType<ErrorMessage>(await channel.NextSentAsync(Token)).Code);
        await session.WaitAsync(Bound, Token);
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Information && l.Text.Contains("disconnected scripted peer: idle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_oversized_line_is_answered_and_ends_the_session()
    {
        var channel = new ScriptedChannel();
        var session = Serve(channel);
        Assert.IsType<HelloMessage>(await channel.NextSentAsync(Token));
        var reply = new ErrorMessage(ErrorCodes.LineTooLong, "a line is longer than 256 bytes; disconnecting");

        channel.Fails(new FramingViolationException("scripted peer sent a line longer than 256 bytes") { Reply = reply });

        await session.WaitAsync(Bound, Token);
        Assert.Equal([reply], channel.TakeSent());
        Assert.Contains(_log.Lines, l => l.Text.Contains("disconnected scripted peer: sent an oversized line", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_connection_over_the_per_address_limit_is_refused_with_the_reason_and_its_slot_comes_back_when_the_first_leaves()
    {
        var first = new ScriptedChannel();
        var running = Serve(first);
        Assert.IsType<HelloMessage>(await first.NextSentAsync(Token));

        var second = new ScriptedChannel();
        await Serve(second).WaitAsync(Bound, Token);

        Assert.Equal(["at most 1 connections from one address"], _refusals);
        Assert.Empty(second.Sent); // never opened
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Text.StartsWith("Listener test refused scripted peer: at most 1", StringComparison.Ordinal));

        var other = new ScriptedChannel();
        var fromElsewhere = Serve(other, IPAddress.Parse("127.0.0.2"));
        Assert.IsType<HelloMessage>(await other.NextSentAsync(Token));
        Assert.Equal(2, _host.Connections);

        first.Closes();
        await running.WaitAsync(Bound, Token);
        var third = new ScriptedChannel();
        var again = Serve(third);
        Assert.IsType<HelloMessage>(await third.NextSentAsync(Token));
        third.Closes();
        other.Closes();
        await Task.WhenAll(again, fromElsewhere).WaitAsync(Bound, Token);
        Assert.Single(_refusals);
    }

    [Fact]
    public async Task A_connection_that_fails_unexpectedly_is_logged_with_its_peer_and_costs_that_connection_only()
    {
        await _host.ServeAsync(Home, "127.0.0.1:4711", _ => throw new InvalidOperationException("a transport bug"), (_, _) => Task.CompletedTask, Token).WaitAsync(Bound, Token);
        await _host.ServeAsync(Home, "127.0.0.1:4712", _ => throw new ChannelClosedException("reset"), (_, _) => Task.CompletedTask, Token).WaitAsync(Bound, Token);

        var error = Assert.Single(_log.Lines, l => l.Level == LogLevel.Error);
        Assert.Contains("127.0.0.1:4711 failed unexpectedly (InvalidOperationException: a transport bug)", error.Text, StringComparison.Ordinal);
        Assert.Equal(0, _host.Connections);
    }
}
