using System.Runtime.InteropServices;

namespace Gateway.Console.Tests.Infrastructure;

/// <summary>POSIX signals for processes the tests start (Process.Kill only sends SIGKILL).</summary>
internal static partial class Signals
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>.</summary>
    public static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
