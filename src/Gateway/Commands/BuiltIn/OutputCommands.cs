using System.Text.Json.Nodes;
using Gateway.Hardware;

namespace Gateway.Commands.BuiltIn;

/// <summary>
/// <c>output.set</c> <c>{"output":"relay","on":true,"for":"30s"}</c>: switches a named output (only outputs declared
/// under <c>Gateway:Outputs</c>; never an arbitrary pin), optionally for a duration after which it goes back to the
/// state it had.
/// </summary>
internal sealed class OutputSetCommand(OutputService outputs) : ICommandHandler
{
    /// <inheritdoc/>
    public string Name => CommandNames.OutputSet;

    /// <inheritdoc/>
    public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Only("output", "on", "for");
        var name = OutputArgument.Resolve(outputs, args.String("output"));
        var on = args.Bool("on");
        var duration = args.OptionalDuration("for", TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1));
        return _ =>
        {
            var before = outputs.Set(name, on, duration);
            var result = new JsonObject { ["output"] = name, ["on"] = on, ["was"] = before };
            if (duration is { } d)
            {
                result["for"] = Gateway.Configuration.DurationParser.Format(d);
            }

            return Task.FromResult(result);
        };
    }
}

/// <summary><c>output.get</c> <c>{"output":"relay"}</c>: whether a named output is on.</summary>
internal sealed class OutputGetCommand(OutputService outputs) : ICommandHandler
{
    /// <inheritdoc/>
    public string Name => CommandNames.OutputGet;

    /// <inheritdoc/>
    public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Only("output");
        var name = OutputArgument.Resolve(outputs, args.String("output"));
        return _ => Task.FromResult(new JsonObject { ["output"] = name, ["on"] = outputs.IsOn(name) });
    }
}

/// <summary>Checks an <c>output</c> argument against the configured outputs.</summary>
internal static class OutputArgument
{
    /// <summary>The configured name equal to <paramref name="name"/>, exactly (issue 14: <c>RELAY</c> is not <c>relay</c>; what is signed is what runs).</summary>
    /// <exception cref="CommandArgumentException">No output of that name is configured.</exception>
    public static string Resolve(OutputService outputs, string name) =>
        outputs.Configured.FirstOrDefault(o => string.Equals(o, name, StringComparison.Ordinal))
        ?? throw new CommandArgumentException($"no output '{name}' (names match exactly); configured outputs: {string.Join(", ", outputs.Configured)}");
}
