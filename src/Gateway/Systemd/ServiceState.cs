using System.Text;

namespace Gateway.Systemd;

/// <summary>One sd_notify assignment, e.g. <c>READY=1</c> or <c>STATUS=…</c> (man sd_notify).</summary>
internal readonly record struct ServiceState
{
    /// <summary>Longest STATUS text sent; systemd shows one line in <c>systemctl status</c>.</summary>
    public const int MaxStatusLength = 400;

    private ServiceState(string text) => Text = text;

    /// <summary>Start-up is finished (after every hosted service has started).</summary>
    public static ServiceState Ready { get; } = new("READY=1");

    /// <summary>The service is beginning its shutdown.</summary>
    public static ServiceState Stopping { get; } = new("STOPPING=1");

    /// <summary>Keep-alive ping for the service watchdog.</summary>
    public static ServiceState Watchdog { get; } = new("WATCHDOG=1");

    /// <summary>The assignment as sent on the socket.</summary>
    public string Text { get; }

    /// <summary>A free-form status line; newlines and control characters become spaces, long text is cut.</summary>
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

    /// <inheritdoc/>
    public override string ToString() => Text;
}
