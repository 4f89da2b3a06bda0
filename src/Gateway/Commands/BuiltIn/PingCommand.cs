using System.Text.Json.Nodes;

namespace Gateway.Commands.BuiltIn;

/// <summary><c>ping</c>: proves the command path end to end; answers with the gateway's time.</summary>
internal sealed class PingCommand(TimeProvider time) : ICommandHandler
{
    /// <inheritdoc/>
    public string Name => CommandNames.Ping;

    /// <inheritdoc/>
    public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Only();
        return _ => Task.FromResult(new JsonObject { ["pong"] = true, ["time"] = time.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
    }
}
