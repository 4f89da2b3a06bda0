using System.Text;
using Microsoft.Extensions.Hosting.Systemd;

namespace Gateway.Systemd;

/// <summary>
/// The sd_notify assignments the gateway sends beyond the package's <see cref="ServiceState.Ready"/> and
/// <see cref="ServiceState.Stopping"/> (man sd_notify): the watchdog keep-alive and one-line status texts.
/// </summary>
internal static class ServiceStates
{
    /// <summary>Longest STATUS text sent; systemd shows one line in <c>systemctl status</c>.</summary>
    public const int MaxStatusLength = 400;

    /// <summary>Keep-alive ping for the service watchdog (<c>WATCHDOG=1</c>).</summary>
    public static ServiceState Watchdog { get; } = new("WATCHDOG=1");

    /// <summary>
    /// A free-form status line (<c>STATUS=…</c>); newlines and control characters become spaces, so a status cannot
    /// carry a second assignment (sd_notify reads one assignment per line), and long text is cut.
    /// </summary>
    public static ServiceState Status(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var sb = new StringBuilder("STATUS=", 7 + Math.Min(status.Length, MaxStatusLength));
        foreach (var c in status.AsSpan(0, Math.Min(status.Length, MaxStatusLength)))
        {
            sb.Append(char.IsControl(c) ? ' ' : c);
        }

        return new ServiceState(sb.ToString());
    }
}
