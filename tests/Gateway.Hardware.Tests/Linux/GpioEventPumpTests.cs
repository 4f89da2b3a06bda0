using System.Collections.Concurrent;
using System.Diagnostics;
using Gateway.Hardware.Linux;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>
/// The event thread against real descriptors: pipes stand in for line requests (poll and read behave the same for
/// them), so waking, unwatching and stopping go through real poll(2), read(2) and eventfd(2) calls.
/// </summary>
public sealed class GpioEventPumpTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(1);

    private readonly GpioEventPump _pump = new("test chip");
    private readonly TestPipe _line = new();
    private readonly BlockingCollection<GpioLineEvent> _received = [];

    public void Dispose()
    {
        _pump.Dispose();
        _line.Dispose();
        _received.Dispose();
    }

    [Fact]
    public void Records_written_to_a_watched_descriptor_reach_its_handler_in_order()
    {
        _pump.Watch(_line.ReadFd, _received.Add);

        _line.Write([.. GpioLineEventTests.Record(100, 1, 17, 1, 1), .. GpioLineEventTests.Record(200, 2, 17, 2, 2), .. GpioLineEventTests.Record(300, 1, 17, 3, 3)]);

        Assert.Equal(new GpioLineEvent(100, 1, 17, 1, 1), Take());
        Assert.Equal(new GpioLineEvent(200, 2, 17, 2, 2), Take());
        Assert.Equal(new GpioLineEvent(300, 1, 17, 3, 3), Take());
    }

    [Fact]
    public void Each_descriptor_reports_to_its_own_handler()
    {
        using var other = new TestPipe();
        using var otherReceived = new BlockingCollection<GpioLineEvent>();
        _pump.Watch(_line.ReadFd, _received.Add);
        _pump.Watch(other.ReadFd, otherReceived.Add);

        other.Write(GpioLineEventTests.Record(7, 2, 4, 1, 1));
        _line.Write(GpioLineEventTests.Record(8, 1, 17, 1, 1));

        Assert.True(otherReceived.TryTake(out var e, Patience));
        Assert.Equal(4u, e.Offset);
        Assert.Equal(17u, Take().Offset);
    }

    [Fact]
    public void Disposing_wakes_the_thread_blocked_in_poll_and_joins_it_promptly()
    {
        _pump.Watch(_line.ReadFd, _received.Add);
        WaitUntil(() => _pump.IsPollingDescriptor(_line.ReadFd));

        var stopwatch = Stopwatch.StartNew();
        _pump.Dispose();

        // Without the eventfd the thread would sit in poll() for ever and the join would time out after 5 s.
        Assert.True(stopwatch.Elapsed < Prompt, $"took {stopwatch.Elapsed}");
        Assert.False(_pump.IsRunning);
    }

    [Fact]
    public void Unwatching_returns_once_the_thread_no_longer_polls_the_descriptor_and_nothing_more_is_delivered()
    {
        _pump.Watch(_line.ReadFd, _received.Add);
        WaitUntil(() => _pump.IsPollingDescriptor(_line.ReadFd));

        var stopwatch = Stopwatch.StartNew();
        Assert.True(_pump.Unwatch(_line.ReadFd));

        Assert.True(stopwatch.Elapsed < Prompt, $"took {stopwatch.Elapsed}");
        Assert.False(_pump.IsPollingDescriptor(_line.ReadFd)); // so the owner may close it now
        _line.Write(GpioLineEventTests.Record(1, 1, 17, 1, 1));
        Assert.False(_received.TryTake(out _, TimeSpan.FromMilliseconds(300)));
        Assert.True(_pump.IsRunning);
        Assert.False(_pump.Unwatch(_line.ReadFd));
    }

    [Fact]
    public void A_descriptor_watched_after_the_thread_started_is_polled_at_once()
    {
        using var first = new TestPipe();
        _pump.Watch(first.ReadFd, _ => { });
        WaitUntil(() => _pump.IsPollingDescriptor(first.ReadFd));

        _pump.Watch(_line.ReadFd, _received.Add);
        _line.Write(GpioLineEventTests.Record(5, 2, 17, 1, 1));

        Assert.Equal(5UL, Take().TimestampNs);
    }

    [Fact]
    public void A_hung_up_descriptor_is_dropped_instead_of_spinning()
    {
        _pump.Watch(_line.ReadFd, _received.Add);
        _line.Write(GpioLineEventTests.Record(9, 1, 17, 1, 1));
        _line.CloseWriter(); // POLLHUP once the record is read, as a removed chip gives POLLERR|POLLHUP

        Assert.Equal(9UL, Take().TimestampNs);
        WaitUntil(() => _pump.WatchCount == 0);
        WaitUntil(() => _pump.IsPolling); // back to waiting, not busy
        Assert.True(_pump.IsRunning);
    }

    [Fact]
    public void A_handler_may_stop_the_pump_from_its_own_thread()
    {
        _pump.Watch(_line.ReadFd, _ => _pump.Dispose());

        _line.Write(GpioLineEventTests.Record(1, 1, 17, 1, 1));

        WaitUntil(() => !_pump.IsRunning);
    }

    [Fact]
    public void A_handler_may_unwatch_its_own_descriptor_and_the_rest_of_the_batch_is_not_delivered()
    {
        var calls = 0;
        _pump.Watch(_line.ReadFd, _ =>
        {
            Interlocked.Increment(ref calls);
            _pump.Unwatch(_line.ReadFd);
        });

        _line.Write([.. GpioLineEventTests.Record(1, 1, 17, 1, 1), .. GpioLineEventTests.Record(2, 2, 17, 2, 2)]);

        WaitUntil(() => _pump.WatchCount == 0);
        Thread.Sleep(100);
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.True(_pump.IsRunning);
    }

    [Fact]
    public void A_handler_that_throws_does_not_end_the_thread_and_the_rest_of_the_batch_and_later_records_still_arrive()
    {
        using var other = new TestPipe();
        using var otherReceived = new BlockingCollection<GpioLineEvent>();
        _pump.Watch(other.ReadFd, otherReceived.Add);
        _pump.Watch(_line.ReadFd, e =>
        {
            if (e.TimestampNs == 1)
            {
                throw new InvalidOperationException("a subscriber's bug");
            }

            _received.Add(e);
        });

        // One read returns both records: the second must not be lost with the first one's exception.
        _line.Write([.. GpioLineEventTests.Record(1, 1, 17, 1, 1), .. GpioLineEventTests.Record(2, 2, 17, 2, 2)]);
        Assert.Equal(2UL, Take().TimestampNs);
        _line.Write(GpioLineEventTests.Record(3, 1, 17, 3, 3));
        Assert.Equal(3UL, Take().TimestampNs);
        other.Write(GpioLineEventTests.Record(4, 1, 4, 1, 1));
        Assert.True(otherReceived.TryTake(out var e, Patience), "the other descriptor's record did not arrive");
        Assert.Equal(4UL, e.TimestampNs);
        Assert.True(_pump.IsRunning);
    }

    [Fact]
    public void Watching_after_dispose_is_refused()
    {
        _pump.Dispose();

        Assert.Throws<ObjectDisposedException>(() => _pump.Watch(_line.ReadFd, _received.Add));
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Patience, "condition not reached in time");
            Thread.Sleep(5);
        }
    }

    private GpioLineEvent Take()
    {
        Assert.True(_received.TryTake(out var e, Patience), "no event arrived");
        return e;
    }
}
