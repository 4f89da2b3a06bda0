namespace Gateway.Hardware.Devices;

/// <summary>
/// Gives a bus failure the binding's context: the same exception type (so callers and health checks classify it
/// exactly as the bus did), the same device and errno, and a message that keeps the bus's own text first and then
/// names the chip, where it is and what the binding was doing, e.g.
/// <c>no acknowledge from i2c-1@0x76; BME280 at i2c-1@0x76 was reading id (0xD0)</c>.
/// </summary>
internal static class DeviceErrors
{
    /// <summary>The exception to throw for <paramref name="cause"/>, raised while <paramref name="description"/> was <paramref name="operation"/>.</summary>
    /// <param name="cause">What the bus threw.</param>
    /// <param name="description">The binding's description, e.g. <c>BME280 at i2c-1@0x76</c>.</param>
    /// <param name="location">Where the chip is (used when the bus did not name a device).</param>
    /// <param name="operation">What the binding was doing, e.g. <c>reading id (0xD0)</c>.</param>
    public static HardwareException Named(HardwareException cause, string description, string location, string operation)
    {
        // The bus's text stays first: logs and operators already know it ("no acknowledge from i2c-1@0x76").
        var message = $"{cause.Message}; {description} was {operation}";
        var device = cause.Device ?? location;
        var type = cause.GetType();

        // Exact types only: a subclass this helper does not know keeps its own type rather than being narrowed.
        return type == typeof(BusNackException) ? new BusNackException(message, device, cause.Errno)
            : type == typeof(BusTimeoutException) ? new BusTimeoutException(message, device, cause.Errno)
            : type == typeof(DeviceNotFoundException) ? new DeviceNotFoundException(message, device, cause.Errno)
            : type == typeof(DeviceBusyException) ? new DeviceBusyException(message, device, cause.Errno)
            : type == typeof(ChecksumException) ? new ChecksumException(message, device)
            : type == typeof(UnexpectedChipException) ? new UnexpectedChipException(message, device)
            : type == typeof(ImplausibleReadingException) ? new ImplausibleReadingException(message, device)
            : type == typeof(HardwareException) ? new HardwareException(message, device, cause.Errno, cause)
            : cause;
    }
}
