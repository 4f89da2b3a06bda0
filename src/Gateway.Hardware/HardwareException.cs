namespace Gateway.Hardware;

/// <summary>
/// A hardware operation failed. Carries the device it concerned (e.g. <c>/dev/i2c-1@0x76</c>) and, when the
/// kernel reported it, the errno. The gateway treats every subclass as a sensor or bus fault, never as a crash.
/// </summary>
public class HardwareException : IOException
{
    /// <summary>Creates an exception.</summary>
    public HardwareException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public HardwareException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public HardwareException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the device and the errno.</summary>
    public HardwareException(string message, string device, int? errno = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Device = device;
        Errno = errno;
    }

    /// <summary>The device concerned, e.g. <c>/dev/gpiochip0 line 17</c> or <c>/dev/i2c-1@0x76</c>.</summary>
    public string? Device { get; }

    /// <summary>The kernel's errno, when the failure came from a system call.</summary>
    public int? Errno { get; }
}

/// <summary>An I2C device did not acknowledge its address or a byte (Linux: ENXIO or EREMOTEIO): absent, unpowered or wired wrong.</summary>
public class BusNackException : HardwareException
{
    /// <summary>Creates an exception.</summary>
    public BusNackException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public BusNackException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public BusNackException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the device and the errno.</summary>
    public BusNackException(string message, string device, int? errno = null)
        : base(message, device, errno)
    {
    }
}

/// <summary>A bus transaction did not complete in time (Linux: ETIMEDOUT), e.g. a device holding SCL low.</summary>
public class BusTimeoutException : HardwareException
{
    /// <summary>Creates an exception.</summary>
    public BusTimeoutException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public BusTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public BusTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the device and the errno.</summary>
    public BusTimeoutException(string message, string device, int? errno = null)
        : base(message, device, errno)
    {
    }
}

/// <summary>Data arrived but its checksum (CRC) does not match: the value is discarded, never used.</summary>
public class ChecksumException : HardwareException
{
    /// <summary>Creates an exception.</summary>
    public ChecksumException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public ChecksumException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public ChecksumException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the device.</summary>
    public ChecksumException(string message, string device)
        : base(message, device)
    {
    }
}

/// <summary>The device at the address is not the chip configured (e.g. a chip-id register with the wrong value).</summary>
public class UnexpectedChipException : HardwareException
{
    /// <summary>Creates an exception.</summary>
    public UnexpectedChipException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public UnexpectedChipException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public UnexpectedChipException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the device.</summary>
    public UnexpectedChipException(string message, string device)
        : base(message, device)
    {
    }
}

/// <summary>
/// The device answered, but with a value it is known to give when something is wrong (e.g. the DS18B20's
/// 85 °C power-on value) or a conversion that never finished. The value is discarded.
/// </summary>
public class ImplausibleReadingException : HardwareException
{
    /// <summary>Creates an exception.</summary>
    public ImplausibleReadingException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public ImplausibleReadingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public ImplausibleReadingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the device.</summary>
    public ImplausibleReadingException(string message, string device)
        : base(message, device)
    {
    }
}

/// <summary>The device is not there (e.g. a 1-Wire slave folder that vanished, a GPIO chip that does not exist).</summary>
public class DeviceNotFoundException : HardwareException
{
    /// <summary>Creates an exception.</summary>
    public DeviceNotFoundException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public DeviceNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public DeviceNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the device.</summary>
    public DeviceNotFoundException(string message, string device, int? errno = null)
        : base(message, device, errno)
    {
    }
}

/// <summary>A GPIO line (or other resource) is held by another user (Linux: EBUSY).</summary>
public class DeviceBusyException : HardwareException
{
    /// <summary>Creates an exception.</summary>
    public DeviceBusyException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public DeviceBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public DeviceBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception naming the device and the errno.</summary>
    public DeviceBusyException(string message, string device, int? errno = null)
        : base(message, device, errno)
    {
    }
}
