namespace Gateway.Commands;

/// <summary>The built-in commands' names (docs/protocol.md, "Commands").</summary>
internal static class CommandNames
{
#pragma warning disable CS1591 // the names say it
    public const string Ping = "ping";
    public const string Status = "status";
    public const string OutputSet = "output.set";
    public const string OutputGet = "output.get";
    public const string SensorRead = "sensor.read";
    public const string SamplingSet = "sampling.set";
    public const string LinkReconnect = "link.reconnect";
    public const string ConfigGet = "config.get";
#pragma warning restore CS1591

    /// <summary>Every built-in command.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Ping, Status, OutputSet, OutputGet, SensorRead, SamplingSet, LinkReconnect, ConfigGet,
    };
}
