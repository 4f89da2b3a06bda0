using System.Collections.Concurrent;
using System.Diagnostics;
using Gateway.Timing;

namespace Gateway.Tests.Timing;

public sealed class SchedulerTimeProviderTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_one_shot_timer_fires_once_and_never_before_its_due_time()
    {
        var time = new SchedulerTimeProvider("test timers");
        var fired = new ConcurrentQueue<TimeSpan>();
        var started = Stopwatch.StartNew();
        using var timer = time.CreateTimer(_ => fired.Enqueue(started.Elapsed), null, TimeSpan.FromMilliseconds(120), Timeout.InfiniteTimeSpan);

        await WaitUntil(() => !fired.IsEmpty);
        await Task.Delay(300, TestContext.Current.CancellationToken);

        Assert.Single(fired);
        Assert.True(fired.Single() >= TimeSpan.FromMilliseconds(120), $"fired after {fired.Single().TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Timers_fire_in_the_order_of_their_due_times_whatever_the_order_they_were_set_in()
    {
        var time = new SchedulerTimeProvider("test timers");
        var order = new ConcurrentQueue<int>();
        var timers = new[] { 300, 100, 200, 50 }
            .Select(ms => time.CreateTimer(_ => order.Enqueue(ms), null, TimeSpan.FromMilliseconds(ms), Timeout.InfiniteTimeSpan))
            .ToList();

        await WaitUntil(() => order.Count == 4);

        Assert.Equal([50, 100, 200, 300], order);
        timers.ForEach(t => t.Dispose());
    }

    [Fact]
    public async Task A_periodic_timer_fires_until_disposed_and_not_after()
    {
        var time = new SchedulerTimeProvider("test timers");
        var count = 0;
        var timer = time.CreateTimer(_ => Interlocked.Increment(ref count), null, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20));

        await WaitUntil(() => Volatile.Read(ref count) >= 5);
        timer.Dispose();
        await Task.Delay(100, TestContext.Current.CancellationToken); // a firing already handed to the thread pool may still land
        var after = Volatile.Read(ref count);
        await Task.Delay(200, TestContext.Current.CancellationToken);

        Assert.Equal(after, Volatile.Read(ref count));
        Assert.False(timer.Change(TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan));
        Assert.Equal(0, time.Pending);
    }

    [Fact]
    public async Task Changing_a_timer_to_infinite_stops_it_and_changing_it_back_starts_it_again()
    {
        var time = new SchedulerTimeProvider("test timers");
        var count = 0;
        using var timer = time.CreateTimer(_ => Interlocked.Increment(ref count), null, TimeSpan.FromMilliseconds(150), Timeout.InfiniteTimeSpan);

        Assert.True(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(0, Volatile.Read(ref count));

        Assert.True(timer.Change(TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan));
        await WaitUntil(() => Volatile.Read(ref count) == 1);
    }

    [Fact]
    public async Task Task_Delay_PeriodicTimer_and_timed_cancellation_run_on_it()
    {
        var time = new SchedulerTimeProvider("test timers");
        var started = Stopwatch.StartNew();

        await Task.Delay(TimeSpan.FromMilliseconds(50), time, TestContext.Current.CancellationToken);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(50));

        using var periodic = new PeriodicTimer(TimeSpan.FromMilliseconds(20), time);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await periodic.WaitForNextTickAsync(TestContext.Current.CancellationToken));
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(30), time);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(Timeout.InfiniteTimeSpan, time, cancel.Token));
    }

    [Fact]
    public async Task A_callback_runs_in_the_execution_context_of_the_code_that_set_the_timer()
    {
        var time = new SchedulerTimeProvider("test timers");
        var flowing = new AsyncLocal<string>();
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.Value = "set by the creator";
        using var timer = time.CreateTimer(_ => seen.TrySetResult(flowing.Value), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);

        Assert.Equal("set by the creator", await seen.Task.WaitAsync(Patience, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Each_firing_wakes_the_thread_once_and_a_timer_due_later_than_the_next_one_wakes_it_not_at_all()
    {
        var time = new SchedulerTimeProvider("test timers");
        var count = 0;
        using var periodic = time.CreateTimer(_ => Interlocked.Increment(ref count), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
        var later = Enumerable.Range(0, 20)
            .Select(i => time.CreateTimer(_ => { }, null, TimeSpan.FromMinutes(10 + i), Timeout.InfiniteTimeSpan))
            .ToList();

        await WaitUntil(() => Volatile.Read(ref count) >= 10);
        var firings = Volatile.Read(ref count);

        // The runtime's timers wake their thread 2-3 times per firing (a coarse clock) and once per timer set; these
        // wake it once per firing, give or take the spurious wake-up the condition variable may report.
        Assert.InRange(time.WakeUps, firings - 1, firings + 3);
        later.ForEach(t => t.Dispose());
    }

    [Fact]
    public async Task Callbacks_run_on_the_thread_pool_unless_the_provider_runs_them_inline()
    {
        var pooled = new SchedulerTimeProvider("test timers");
        var inline = new SchedulerTimeProvider("test inline", inlineCallbacks: true);
        var seen = new ConcurrentDictionary<string, (string? Thread, bool Pool)>();
        using var onPool = pooled.CreateTimer(_ => seen["pooled"] = (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        using var onOwn = inline.CreateTimer(_ => seen["inline"] = (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);

        await WaitUntil(() => seen.Count == 2);

        Assert.True(seen["pooled"].Pool);
        Assert.Equal(("test inline", false), seen["inline"]);
        Assert.False(pooled.InlineCallbacks);
        Assert.True(inline.InlineCallbacks);
    }

    [Fact]
    public async Task An_inline_providers_delays_continue_on_its_thread_and_timers_set_there_wake_nobody()
    {
        var time = new SchedulerTimeProvider("test inline", inlineCallbacks: true);
        var threads = new ConcurrentQueue<string?>();

        async Task Loop()
        {
            for (var i = 0; i < 5; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), time, TestContext.Current.CancellationToken).ConfigureAwait(false);
                threads.Enqueue(Thread.CurrentThread.Name);
            }
        }

        await Task.Run(Loop, TestContext.Current.CancellationToken).WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.All(threads, name => Assert.Equal("test inline", name));
        Assert.Equal(5, threads.Count);

        // Each delay after the first is set on the provider's own thread while it runs: the thread wakes once per
        // firing (give or take a spurious wake-up), never to take in a timer set while it was awake.
        Assert.InRange(time.WakeUps, 5, 5 + 3);
    }

    [Fact]
    public async Task A_callback_that_disposes_a_timer_due_in_the_same_round_stops_it_from_firing()
    {
        var time = new SchedulerTimeProvider("test inline", inlineCallbacks: true);
        var fired = new ConcurrentQueue<string>();
        ITimer? second = null;
        var gate = new ManualResetEventSlim();
        using var blocker = time.CreateTimer(_ => gate.Wait(Patience), null, TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
        using var first = time.CreateTimer(_ => { fired.Enqueue("first"); second!.Dispose(); }, null, TimeSpan.FromMilliseconds(30), Timeout.InfiniteTimeSpan);
        second = time.CreateTimer(_ => fired.Enqueue("second"), null, TimeSpan.FromMilliseconds(31), Timeout.InfiniteTimeSpan);

        await Task.Delay(100, TestContext.Current.CancellationToken); // both are due while the thread is held
        gate.Set();
        await WaitUntil(() => !fired.IsEmpty);
        await Task.Delay(100, TestContext.Current.CancellationToken);

        Assert.Equal(["first"], fired);
    }

    [Fact]
    public void Out_of_range_due_times_and_periods_are_refused_like_the_system_timers_refuse_them()
    {
        var time = new SchedulerTimeProvider("test timers");

        Assert.Throws<ArgumentOutOfRangeException>(() => time.CreateTimer(_ => { }, null, TimeSpan.FromMilliseconds(-2), Timeout.InfiniteTimeSpan));
        Assert.Throws<ArgumentOutOfRangeException>(() => time.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromDays(60)));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Patience, "the condition did not hold within 10 s");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
