using Microsoft.Extensions.Time.Testing;

namespace Gateway.Hardware.Tests.Devices.Fakes;

/// <summary>A controlled clock for the bindings' waits: time moves only when a test drives it.</summary>
internal static class Clock
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Start() => new(Epoch) { AutoAdvanceAmount = TimeSpan.Zero };

    /// <summary>
    /// Runs <paramref name="operation"/>, advancing the clock in 0.5 ms steps while it is pending. Time only moves
    /// forward, so an assertion that a wait lasted at least the datasheet's time is exact; a binding that never
    /// finishes fails here rather than hanging the test.
    /// </summary>
    public static async Task<T> Drive<T>(FakeTimeProvider time, Func<ValueTask<T>> operation)
    {
        var task = operation().AsTask();
        for (var i = 0; i < 100_000 && !task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(0.5));
            await Task.Yield();
        }

        Assert.True(task.IsCompleted, "the operation did not finish within 50 s of simulated time");
        return await task;
    }

    /// <summary>As <see cref="Drive{T}"/> for an operation without a result.</summary>
    public static async Task Drive(FakeTimeProvider time, Func<ValueTask> operation)
        => await Drive(time, async () =>
        {
            await operation();
            return true;
        });
}
