using System.Globalization;

namespace Gateway.Systemd;

/// <summary>
/// What systemd told this process through its environment (man systemd.exec, sd_notify, sd_watchdog_enabled):
/// the notify socket, the watchdog interval, and whether stdout goes to the journal. Outside systemd every
/// property is empty and the gateway's systemd integration does nothing.
/// </summary>
internal sealed record SystemdEnvironment
{
    /// <summary>No systemd: nothing to notify, no watchdog, ordinary console.</summary>
    public static readonly SystemdEnvironment None = new();

    /// <summary>The socket address from <c>NOTIFY_SOCKET</c>: a path, or an abstract name starting with NUL (written <c>@name</c>).</summary>
    public string? NotifySocketAddress { get; init; }

    /// <summary>The watchdog interval from <c>WATCHDOG_USEC</c> when it is meant for this process.</summary>
    public TimeSpan? WatchdogInterval { get; init; }

    /// <summary>Why the watchdog is off although <c>WATCHDOG_USEC</c> was set, or null.</summary>
    public string? WatchdogIgnoredReason { get; init; }

    /// <summary>True when stdout/stderr are connected to the journal (<c>JOURNAL_STREAM</c>) or systemd started us (<c>INVOCATION_ID</c>).</summary>
    public bool UnderSystemd { get; init; }

    /// <summary>Reads the variables through <paramref name="variable"/> for the process <paramref name="processId"/>.</summary>
    public static SystemdEnvironment Read(Func<string, string?> variable, int processId)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var socket = variable("NOTIFY_SOCKET");
        var address = socket switch
        {
            null or "" => null,
            ['@', .. var name] => "\0" + name, // abstract namespace: '@' stands for the leading NUL byte
            ['/', ..] => socket,
            _ => null, // systemd only ever passes absolute paths or abstract names
        };

        TimeSpan? watchdog = null;
        string? ignored = null;
        var usec = variable("WATCHDOG_USEC");
        if (!string.IsNullOrEmpty(usec))
        {
            var pid = variable("WATCHDOG_PID");
            if (!ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros == 0)
            {
                ignored = $"WATCHDOG_USEC='{usec}' is not a positive number of microseconds";
            }
            else if (!string.IsNullOrEmpty(pid)
                && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var owner) || owner != processId))
            {
                ignored = $"WATCHDOG_PID={pid} is not this process ({processId.ToString(CultureInfo.InvariantCulture)})";
            }
            else if (address is null)
            {
                ignored = "WATCHDOG_USEC is set but NOTIFY_SOCKET is not";
            }
            else
            {
                watchdog = TimeSpan.FromMicroseconds(Math.Min(micros, (ulong)TimeSpan.MaxValue.TotalMicroseconds));
            }
        }

        return new SystemdEnvironment
        {
            NotifySocketAddress = address,
            WatchdogInterval = watchdog,
            WatchdogIgnoredReason = ignored,
            UnderSystemd = !string.IsNullOrEmpty(variable("JOURNAL_STREAM")) || !string.IsNullOrEmpty(variable("INVOCATION_ID")),
        };
    }

    /// <summary>Reads the current process's environment.</summary>
    public static SystemdEnvironment FromProcess() => Read(Environment.GetEnvironmentVariable, Environment.ProcessId);
}
