using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

internal static partial class Libc
{
    // include/uapi/linux/eventfd.h: the flags are the O_ flags of the same name.

    /// <summary>EFD_CLOEXEC.</summary>
    internal const int EFD_CLOEXEC = O_CLOEXEC;

    /// <summary>EFD_NONBLOCK.</summary>
    internal const int EFD_NONBLOCK = O_NONBLOCK;

    /// <summary>
    /// eventfd(2): a counter descriptor. Writing an 8-byte value adds to it and makes it readable (POLLIN); reading
    /// returns the count and resets it. Used to wake a thread blocked in poll(2).
    /// </summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);
}
