using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

internal static unsafe partial class Libc
{
    /// <summary>pipe2(2): <c>pipefd[0]</c> is the read end, <c>pipefd[1]</c> the write end; 0, or -1 with errno set.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int pipe2(int* pipefd, int flags);
}
