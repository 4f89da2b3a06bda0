using System.Runtime.InteropServices;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>Opens a device node with errors that say what to do: a missing node names the likely cause.</summary>
internal static class DeviceFile
{
    /// <summary>Opens <paramref name="path"/> read-write, close-on-exec.</summary>
    /// <param name="path">The device node.</param>
    /// <param name="whenMissing">What a missing node most likely means, e.g. "is I2C enabled …?".</param>
    /// <exception cref="DeviceNotFoundException">The node does not exist, or has no device behind it.</exception>
    /// <exception cref="HardwareException">Any other failure, permission denied among them.</exception>
    public static int Open(string path, string whenMissing)
    {
        var fd = Libc.open(path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd >= 0)
        {
            return fd;
        }

        var errno = Errno.Last;
        var cause = $"open: {Marshal.GetPInvokeErrorMessage(errno)}, errno {errno}";
        throw errno switch
        {
            // ENXIO/ENODEV from open() of a character device: the node is there, its driver is not.
            Errno.ENOENT or Errno.ENODEV or Errno.ENXIO => new DeviceNotFoundException($"{path} does not exist: {whenMissing} ({cause})", path, errno),
            Errno.EACCES or Errno.EPERM => new HardwareException(
                $"{path}: permission denied ({cause}): run the gateway as a user in the group that owns it (ls -l {path}; usually 'gpio' or 'i2c')", path, errno),
            _ => Errno.ToException(errno, "open", path),
        };
    }

    /// <summary>Closes a descriptor; errors are not actionable here (the descriptor is released regardless on Linux).</summary>
    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            _ = Libc.close(fd);
        }
    }
}
