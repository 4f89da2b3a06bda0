using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

internal static partial class Libc
{
    // include/uapi/asm-generic/fcntl.h

    /// <summary>F_GETFL: get the file status flags.</summary>
    internal const int F_GETFL = 3;

    /// <summary>F_SETFL: set the file status flags (O_NONBLOCK among them).</summary>
    internal const int F_SETFL = 4;

    /// <summary>fcntl(2) with an int argument: the result of the command, or -1 with errno set.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);
}
