using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

internal static unsafe partial class Libc
{
    /// <summary>write(2): bytes written, or -1 with errno set.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint write(int fd, void* buf, nuint count);
}
