using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

internal static unsafe partial class Libc
{
    // int ioctl(int fd, unsigned long request, ...): the variadic third argument is one register-sized value on the
    // Linux ABIs the gateway runs on (arm64, arm32 EABI, x86_64), so a fixed signature per argument kind is exact.
    // The request is an unsigned long: codes such as 0xC250B407 do not fit an int.

    /// <summary>ioctl(2) whose argument points to a struct the kernel reads and/or fills.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, void* argp);

    /// <summary>ioctl(2) whose argument is passed by value (e.g. I2C_SLAVE_FORCE's address, an unsigned long).</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, nuint arg);
}
