using Gateway.Commands;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Commands;

public sealed class CommandDeadlinesTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly CommandDeadlines _deadlines;

    public CommandDeadlinesTests() => _deadlines = new CommandDeadlines(TimeSpan.FromSeconds(5), _time);

    public void Dispose() => _deadlines.Dispose();

    [Fact]
    public void A_command_still_running_at_its_deadline_is_cancelled_and_marked_expired()
    {
        using var run = new CancellationTokenSource();
        using var watch = _deadlines.Start(run);

        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(run.IsCancellationRequested);
        _time.Advance(TimeSpan.FromSeconds(0.2));

        Assert.True(run.IsCancellationRequested);
        Assert.True(watch.Expired);
        Assert.Equal(0, _deadlines.Count);
    }

    [Fact]
    public void A_command_that_finished_before_its_deadline_is_never_cancelled()
    {
        using var run = new CancellationTokenSource();
        var watch = _deadlines.Start(run);
        watch.Dispose();

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(run.IsCancellationRequested);
        Assert.False(watch.Expired);
        Assert.Equal(0, _deadlines.Count);
    }

    [Fact]
    public void Each_command_is_cancelled_at_its_own_deadline_on_the_one_timer()
    {
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        using var third = new CancellationTokenSource();
        using var a = _deadlines.Start(first);
        _time.Advance(TimeSpan.FromSeconds(2));
        using var b = _deadlines.Start(second); // due at 7 s
        _time.Advance(TimeSpan.FromSeconds(1));
        var c = _deadlines.Start(third); // due at 8 s, finishes first
        c.Dispose();

        _time.Advance(TimeSpan.FromSeconds(2.5)); // 5.5 s
        Assert.True(first.IsCancellationRequested);
        Assert.False(second.IsCancellationRequested);

        _time.Advance(TimeSpan.FromSeconds(1.5)); // 7 s
        Assert.True(second.IsCancellationRequested);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(third.IsCancellationRequested);
        Assert.Equal(0, _deadlines.Count);
    }
}
