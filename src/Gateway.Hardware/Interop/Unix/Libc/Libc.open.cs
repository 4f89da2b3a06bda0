using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

internal static partial class Libc
{
    // include/uapi/asm-generic/fcntl.h (the values arm, arm64 and x86 use; octal in the header).

    /// <summary>O_RDWR: open for reading and writing.</summary>
    internal const int O_RDWR = 0x0002;

    /// <summary>O_NONBLOCK (octal 04000): read() returns EAGAIN instead of blocking.</summary>
    internal const int O_NONBLOCK = 0x0800;

    /// <summary>O_CLOEXEC (octal 02000000): the descriptor is not inherited by child processes.</summary>
    internal const int O_CLOEXEC = 0x80000;

    /// <summary>open(2) without O_CREAT (so no mode argument): a descriptor, or -1 with errno set.</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string pathname, int flags);
}
