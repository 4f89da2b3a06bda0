namespace Gateway.Hardware.Devices;

/// <summary>Conversion and reset waits that last at least as long as the datasheet says.</summary>
internal static class DeviceWaits
{
    /// <summary>
    /// Waits at least <paramref name="atLeast"/> on <paramref name="time"/>. <c>Task.Delay</c> counts whole
    /// milliseconds and truncates (9.3 ms would wait 9 ms, before a BME280 at ×1 is guaranteed done), so the wait is
    /// rounded up to the next millisecond.
    /// </summary>
    public static Task Delay(TimeSpan atLeast, TimeProvider time, CancellationToken cancellationToken) =>
        Task.Delay(RoundUp(atLeast), time, cancellationToken);

    /// <summary><paramref name="wait"/> rounded up to whole milliseconds.</summary>
    public static TimeSpan RoundUp(TimeSpan wait) => TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds));
}
