using System.Runtime.InteropServices;

namespace Gateway.Mqtt.Tests.Broker;

/// <summary>POSIX signals for the broker process (Process.Kill only sends SIGKILL; a graceful stop needs SIGTERM).</summary>
internal static partial class Signals
{
    public const int SIGTERM = 15;

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
