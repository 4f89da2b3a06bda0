using System.Text.Json.Nodes;
using Gateway.Links;

namespace Gateway.Commands.BuiltIn;

/// <summary><c>link.reconnect</c> <c>{"link":"tcp"}</c>: drops an upstream link's connection and connects again now, skipping any backoff.</summary>
internal sealed class LinkReconnectCommand(LinkRegistry links) : ICommandHandler
{
    /// <inheritdoc/>
    public string Name => CommandNames.LinkReconnect;

    /// <inheritdoc/>
    public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Only("link");
        var name = args.String("link");
        var link = links.All.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new CommandArgumentException($"no link '{name}'; links: {(links.All.Count == 0 ? "(none)" : string.Join(", ", links.All.Select(l => l.Name)))}");
        return _ =>
        {
            var was = link.State;
            if (!link.Reconnect())
            {
                throw new CommandFailedException($"link {link.Name} ({link.Kind}) has no connection to renew");
            }

            return Task.FromResult(new JsonObject { ["link"] = link.Name, ["was"] = was });
        };
    }
}
