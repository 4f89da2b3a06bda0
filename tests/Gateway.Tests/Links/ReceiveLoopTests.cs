using Gateway.Links;
using Gateway.Protocol;
using Gateway.Protocol.Transport;

namespace Gateway.Tests.Links;

/// <summary>The one receive loop of link and listener sessions, on a scripted channel and a fake clock.</summary>
public sealed class ReceiveLoopTests : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(90);
    private readonly ScriptedChannel _channel = new();
    private readonly WatchedTime _time = new();
    private readonly List<Inbound> _handled = [];
    private readonly CancellationTokenSource _bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    public ReceiveLoopTests() => _bound.CancelAfter(TimeSpan.FromSeconds(30));

    public void Dispose() => _bound.Dispose();

    private Task Run(Func<TimeSpan>? allowed = null) =>
        ReceiveLoop.RunAsync(_channel, allowed ?? (() => Idle), _time, inbound => { _handled.Add(inbound); return Task.CompletedTask; }, _bound.Token);

    [Fact]
    public async Task Messages_and_problems_are_handed_on_in_order_and_the_loop_returns_when_the_peer_closes()
    {
        _channel.Arrives(new AckMessage(1), new PingMessage());
        _channel.ArrivesBad(new ErrorMessage(ErrorCodes.MalformedJson, "malformed JSON"));
        _channel.Closes();

        await Run();

        Assert.Equal([new AckMessage(1), new PingMessage(), null], _handled.Select(i => i.Message));
        Assert.Equal(ErrorCodes.MalformedJson, _handled[2].Problem!.Code);
        Assert.Empty(_channel.Sent);
    }

    [Fact]
    public async Task A_peer_silent_for_its_allowance_on_the_sessions_clock_ends_the_loop()
    {
        var loop = Run();
        await _time.TimerSet.WaitAsync(_bound.Token); // the allowance is on the fake clock
        _time.Fake.Advance(Idle - TimeSpan.FromSeconds(1));
        await Task.Yield();
        Assert.False(loop.IsCompleted);

        _time.Fake.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<PeerSilentException>(() => loop);
    }

    [Fact]
    public async Task The_allowance_is_asked_again_before_each_receive_so_a_used_up_one_ends_the_loop_at_once()
    {
        var left = Idle;
        _channel.Arrives(new PongMessage());

        await Assert.ThrowsAsync<PeerSilentException>(() => Run(() =>
        {
            var now = left;
            left = TimeSpan.Zero; // what a listener's idle deadline says when only invalid lines came
            return now;
        }));
        Assert.Single(_handled);
    }

    [Fact]
    public async Task A_framing_violation_is_answered_with_its_reply_and_then_ends_the_loop()
    {
        var reply = new ErrorMessage(ErrorCodes.LineTooLong, "a line is longer than 256 bytes; disconnecting");
        _channel.Arrives(new AckMessage(3));
        _channel.Fails(new FramingViolationException("scripted peer sent a line longer than 256 bytes") { Reply = reply });

        await Assert.ThrowsAsync<FramingViolationException>(() => Run());

        Assert.Equal([reply], _channel.Sent);
        Assert.Single(_handled);
    }

    [Fact]
    public async Task A_broken_connection_goes_on_as_it_is()
    {
        _channel.Fails(new ChannelClosedException("reset"));

        await Assert.ThrowsAsync<ChannelClosedException>(() => Run());
    }
}
