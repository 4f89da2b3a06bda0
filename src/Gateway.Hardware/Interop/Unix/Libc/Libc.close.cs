using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

internal static partial class Libc
{
    /// <summary>
    /// close(2). On Linux the descriptor is released even when close reports an error (EINTR included), so it is
    /// never retried: a retry could close a descriptor another thread has just been given.
    /// </summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int close(int fd);
}
