namespace Gateway.Hardware.Remote;

/// <summary>
/// Hardware errors across the firmware-sim socket: each typed <see cref="HardwareException"/> travels as an error
/// kind and comes back out as the same type, so a binding behaves identically in-process and remote.
/// </summary>
public static class RemoteErrors
{
#pragma warning disable CS1591 // wire names of the error kinds
    public const string Nack = "nack";
    public const string Timeout = "timeout";
    public const string Checksum = "checksum";
    public const string WrongChip = "wrongChip";
    public const string Implausible = "implausible";
    public const string NotFound = "notFound";
    public const string Busy = "busy";
    public const string Hardware = "hardware";
    public const string BadRequest = "badRequest";
#pragma warning restore CS1591

    /// <summary>The error kind for an exception thrown while serving a request.</summary>
    public static string KindOf(Exception exception) => exception switch
    {
        BusNackException => Nack,
        BusTimeoutException => Timeout,
        ChecksumException => Checksum,
        UnexpectedChipException => WrongChip,
        ImplausibleReadingException => Implausible,
        DeviceNotFoundException => NotFound,
        DeviceBusyException => Busy,
        HardwareException => Hardware,
        _ => BadRequest,
    };

    /// <summary>The exception a client throws for an error response.</summary>
    public static Exception ToException(string? kind, string? message, string device)
    {
        var text = message ?? $"firmware-sim reported {kind ?? "an unspecified error"}";
        return kind switch
        {
            Nack => new BusNackException(text, device),
            Timeout => new BusTimeoutException(text, device),
            Checksum => new ChecksumException(text, device),
            WrongChip => new UnexpectedChipException(text, device),
            Implausible => new ImplausibleReadingException(text, device),
            NotFound => new DeviceNotFoundException(text, device),
            Busy => new DeviceBusyException(text, device),
            BadRequest => new ArgumentException(text),
            _ => new HardwareException(text, device),
        };
    }
}
