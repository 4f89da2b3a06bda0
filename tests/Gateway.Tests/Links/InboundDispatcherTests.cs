using System.Threading.Channels;
using Gateway.Links;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Links;

/// <summary>The one inbound dispatcher of link, listener and MQTT sessions: what it answers, and what it hands back.</summary>
public sealed class InboundDispatcherTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly WatchedTime _time = new();
    private readonly RecordingLogger _log = new();
    private readonly Channel<Message> _replies = Channel.CreateUnbounded<Message>();
    private readonly TestCommands _commands;
    private readonly InboundDispatcher _dispatcher;

    public InboundDispatcherTests()
    {
        _commands = new TestCommands(_time);
        _dispatcher = Dispatcher(withCommands: true);
    }

    public void Dispose() => _commands.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private InboundDispatcher Dispatcher(bool withCommands) => new(
        "Link test",
        "scripted peer",
        (reply, _) => { _replies.Writer.TryWrite(reply); return Task.CompletedTask; },
        withCommands ? _commands.Pipeline : null,
        withCommands ? _commands.Pipeline.OpenSource("test", "scripted peer") : null,
        _log);

    private async Task<Message> NextReply() => await _replies.Reader.ReadAsync(Token).AsTask().WaitAsync(Bound, Token);

    private List<Message> RepliesSoFar()
    {
        var replies = new List<Message>();
        while (_replies.Reader.TryRead(out var reply))
        {
            replies.Add(reply);
        }

        return replies;
    }

    private static Inbound Received(Message message) => new(message, null);

    [Fact]
    public async Task A_bad_line_is_answered_with_the_parsers_error_and_logged()
    {
        var problem = new ErrorMessage(ErrorCodes.MalformedJson, "malformed JSON at byte 3");

        Assert.Null(await _dispatcher.DispatchAsync(new Inbound(null, problem), Token));

        Assert.Equal([problem], RepliesSoFar());
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("scripted peer sent bad input (malformed_json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_line_the_parser_refuses_for_real_is_answered_with_that_verdict()
    {
        var inbound = Inbound.Parse("""{"type":"ack"}"""u8);

        await _dispatcher.DispatchAsync(inbound, Token);

        Assert.Equal([inbound.Problem!], RepliesSoFar());
    }

    [Fact]
    public async Task A_ping_is_answered_with_a_pong_and_a_pong_is_taken_without_an_answer()
    {
        Assert.Null(await _dispatcher.DispatchAsync(Received(new PingMessage()), Token));
        Assert.Null(await _dispatcher.DispatchAsync(Received(new PongMessage()), Token));

        Assert.Equal([new PongMessage()], RepliesSoFar());
    }

    [Fact]
    public async Task A_peers_own_error_is_never_answered()
    {
        var parsed = Inbound.Parse("""{"type":"error","code":"unexpected_ack","message":"you are wrong"}"""u8);
        Assert.IsType<ErrorMessage>(parsed.Message); // the peer's message, not a problem with the line

        Assert.Null(await _dispatcher.DispatchAsync(parsed, Token));

        Assert.Empty(RepliesSoFar());
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Debug && l.Text.Contains("sent an error (unexpected_ack", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_command_runs_through_the_pipeline_and_its_result_is_the_reply()
    {
        var command = _commands.Signed("ping", "c-1");

        Assert.Null(await _dispatcher.DispatchAsync(Received(command), Token));

        var result = Assert.IsType<ResultMessage>(await NextReply());
        Assert.Equal("c-1", result.Id);
        Assert.True(result.Ok, result.Message);
    }

    [Fact]
    public async Task A_refused_command_is_answered_with_the_pipelines_refusal()
    {
        var unsigned = new CommandMessage("c-2", null, "ping", null, null, null, null, null);

        await _dispatcher.DispatchAsync(Received(unsigned), Token);

        var result = Assert.IsType<ResultMessage>(await NextReply());
        Assert.Equal(("c-2", false, ResultCodes.NotSigned), (result.Id, result.Ok, result.Code));
    }

    [Fact]
    public async Task A_slow_command_does_not_hold_up_a_ping_and_one_over_the_connections_limit_is_answered_busy()
    {
        for (var i = 0; i < CommandRunner.MaxPerConnection; i++)
        {
            await _dispatcher.DispatchAsync(Received(_commands.Signed("gate", $"slow-{i}")), Token);
        }

        await _dispatcher.DispatchAsync(Received(new PingMessage()), Token);
        await _dispatcher.DispatchAsync(Received(_commands.Signed("ping", "one-too-many")), Token);

        Assert.Equal(new PongMessage(), await NextReply());
        var busy = Assert.IsType<ResultMessage>(await NextReply());
        Assert.Equal(("one-too-many", false, ResultCodes.Busy), (busy.Id, busy.Ok, busy.Code));
        Assert.Contains("on this connection", busy.Message, StringComparison.Ordinal);

        // Draining waits for the slow ones, whose results then go out.
        var drained = _dispatcher.DrainAsync();
        Assert.False(drained.IsCompleted);
        _commands.Gate.Open();
        await drained.WaitAsync(Bound, Token);
        var results = RepliesSoFar();
        Assert.Equal(CommandRunner.MaxPerConnection, results.OfType<ResultMessage>().Count(r => r.Ok));
    }

    [Fact]
    public async Task What_the_session_takes_itself_is_handed_back_unanswered()
    {
        Assert.Equal(new AckMessage(7), await _dispatcher.DispatchAsync(Received(new AckMessage(7)), Token));
        var result = new ResultMessage("x", true, null, null);
        Assert.Equal(result, await _dispatcher.DispatchAsync(Received(result), Token));

        Assert.Empty(RepliesSoFar());
    }

    [Fact]
    public async Task Without_a_pipeline_a_command_is_handed_back_to_the_session()
    {
        var command = _commands.Signed("ping", "c-3");

        Assert.Same(command, await Dispatcher(withCommands: false).DispatchAsync(Received(command), Token));

        Assert.Empty(RepliesSoFar());
    }
}
