using Microsoft.Extensions.Time.Testing;

namespace Gateway.FirmwareSim.Tests;

/// <summary>A controlled clock for the simulated board and the bindings' waits.</summary>
internal static class SimClock
{
    /// <summary>Noon UTC, so that the light sensor sees daylight.</summary>
    public static readonly DateTimeOffset Noon = new(2026, 6, 21, 12, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider At(DateTimeOffset? start = null) => new(start ?? Noon) { AutoAdvanceAmount = TimeSpan.Zero };

    /// <summary>Runs an operation whose waits are on <paramref name="time"/>, advancing the clock 1 ms at a time until it completes.</summary>
    public static async Task<T> Drive<T>(FakeTimeProvider time, Func<ValueTask<T>> operation)
    {
        var task = operation().AsTask();
        for (var i = 0; i < 100_000 && !task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Yield();
        }

        return await task;
    }
}
