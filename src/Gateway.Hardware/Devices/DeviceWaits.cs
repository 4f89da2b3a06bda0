namespace Gateway.Hardware.Devices;

/// <summary>Conversion and reset waits that last at least as long as the datasheet says.</summary>
internal static class DeviceWaits
{
    /// <summary>
    /// Waits at least <paramref name="atLeast"/> on <paramref name="time"/>, measured on its high-resolution timestamp.
    /// <c>Task.Delay</c> counts whole milliseconds and truncates (9.3 ms would wait 9 ms, before a BME280 at ×1 is
    /// guaranteed done), so each wait is rounded up to the next millisecond; and on Linux .NET's timers run on a coarse
    /// clock and may fire a few milliseconds early (a 16 ms delay measured 12.2 ms), so whatever is left is waited again.
    /// </summary>
    public static async Task Delay(TimeSpan atLeast, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var start = time.GetTimestamp();
        var remaining = atLeast;
        while (remaining > TimeSpan.Zero)
        {
            await Task.Delay(RoundUp(remaining), time, cancellationToken).ConfigureAwait(false);
            remaining = atLeast - time.GetElapsedTime(start);
        }
    }

    /// <summary><paramref name="wait"/> rounded up to whole milliseconds.</summary>
    public static TimeSpan RoundUp(TimeSpan wait) => TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds));
}
