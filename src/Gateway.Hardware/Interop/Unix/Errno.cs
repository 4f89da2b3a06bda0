using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// errno values the drivers act on (include/uapi/asm-generic/errno-base.h, errno.h; the same on arm, arm64 and
/// x86) and the one mapping from an errno to the typed <see cref="HardwareException"/> the gateway handles.
/// </summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EIO = 5;
    internal const int ENXIO = 6;
    internal const int EAGAIN = 11;
    internal const int EACCES = 13;
    internal const int EBUSY = 16;
    internal const int ENODEV = 19;
    internal const int EINVAL = 22;
    internal const int ENOTTY = 25;
    internal const int EOPNOTSUPP = 95;
    internal const int ETIMEDOUT = 110;
    internal const int EREMOTEIO = 121;

    /// <summary>
    /// The errno of the last libc call made on this thread through an import with <c>SetLastError = true</c>.
    /// Read it right after the failed call: any later such call (a close() on the error path) overwrites it.
    /// </summary>
    internal static int Last => Marshal.GetLastPInvokeError();

    /// <summary>
    /// The typed exception for <paramref name="errno"/> from <paramref name="operation"/> on <paramref name="device"/>:
    /// ENXIO/EREMOTEIO (no acknowledge on I2C) → <see cref="BusNackException"/>, ETIMEDOUT → <see cref="BusTimeoutException"/>,
    /// EBUSY → <see cref="DeviceBusyException"/>, ENOENT/ENODEV → <see cref="DeviceNotFoundException"/>, anything else →
    /// <see cref="HardwareException"/>. The message names the operation, the device and the errno with its text.
    /// </summary>
    internal static HardwareException ToException(int errno, string operation, string device, string? hint = null)
    {
        var message = $"{operation} on {device} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})"
            + (hint is null ? string.Empty : $"; {hint}");
        return errno switch
        {
            ENXIO or EREMOTEIO => new BusNackException(message, device, errno),
            ETIMEDOUT => new BusTimeoutException(message, device, errno),
            EBUSY => new DeviceBusyException(message, device, errno),
            ENOENT or ENODEV => new DeviceNotFoundException(message, device, errno),
            _ => new HardwareException(message, device, errno),
        };
    }
}
