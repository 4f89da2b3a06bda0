using Gateway.Console.Cli;
using Gateway.Protocol;

namespace Gateway.Console.Commanding;

/// <summary>What came back for a command, and from where.</summary>
/// <param name="Device">The device the command was for.</param>
/// <param name="Name">The command.</param>
/// <param name="Result">The gateway's result (or the relay's, for <c>not_connected</c>).</param>
/// <param name="Elapsed">From sending to the result.</param>
internal sealed record CommandOutcome(string Device, string Name, ResultMessage Result, TimeSpan Elapsed)
{
    /// <summary>The code <c>gwctl listen</c> answers when no gateway of that device is connected to it.</summary>
    public const string NotConnected = "not_connected";

    /// <summary>gwctl's exit code for this outcome: 0 ok, 69 when the device was not reachable through listen, else 1.</summary>
    public int ExitCode => Result.Ok ? ExitCodes.Ok : Result.Code == NotConnected ? ExitCodes.Unavailable : ExitCodes.Refused;
}
