namespace Gateway.Console.Keys;

/// <summary>
/// The gateway's built-in commands (docs/protocol.md, "Built-in commands"; a test keeps this list and that table
/// equal). The gateway accepts only these names in a key's <c>Allow</c> list.
/// </summary>
internal static class KnownCommands
{
    /// <summary>Every built-in command, in the order the protocol document lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        ["ping", "status", "output.set", "output.get", "sensor.read", "sampling.set", "link.reconnect", "config.get"];

    /// <summary>What <c>gwctl keygen</c> allows unless told otherwise: watch and switch outputs, nothing that reconfigures.</summary>
    public static IReadOnlyList<string> OperatorDefault { get; } = ["ping", "status", "output.get", "output.set", "sensor.read"];
}
