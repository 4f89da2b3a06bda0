using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

internal static unsafe partial class Libc
{
    /// <summary>read(2): bytes read (0 at end of file), or -1 with errno set.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint read(int fd, void* buf, nuint count);
}
