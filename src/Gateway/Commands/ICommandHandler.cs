using System.Text.Json.Nodes;

namespace Gateway.Commands;

/// <summary>One built-in command.</summary>
internal interface ICommandHandler
{
    /// <summary>The command's name, e.g. <c>output.set</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Validates <paramref name="args"/> completely — throwing <see cref="CommandArgumentException"/> before anything
    /// changes — and returns the action that carries the command out and produces its result data.
    /// </summary>
    Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args);
}
