using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>Turns an errno from a system call on a device into the typed hardware error the gateway handles.</summary>
internal static class Errno
{
    /// <summary>The exception for <paramref name="errno"/> from <paramref name="operation"/> on <paramref name="device"/>, with the errno text.</summary>
    public static HardwareException ToException(int errno, string operation, string device)
    {
        var text = $"{operation} on {device} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        return errno switch
        {
            Libc.ENXIO or Libc.EREMOTEIO => new BusNackException(text, device, errno),
            Libc.ETIMEDOUT => new BusTimeoutException(text, device, errno),
            Libc.EBUSY => new DeviceBusyException(text, device, errno),
            Libc.ENOENT or Libc.ENODEV => new DeviceNotFoundException(text, device, errno),
            _ => new HardwareException(text, device, errno),
        };
    }

    /// <summary>Throws the typed exception for the last errno when <paramref name="result"/> is negative.</summary>
    public static void ThrowIfFailed(long result, string operation, string device)
    {
        if (result < 0)
        {
            throw ToException(Libc.Errno, operation, device);
        }
    }
}
