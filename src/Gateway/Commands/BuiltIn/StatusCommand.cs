using System.Diagnostics;
using System.Text.Json.Nodes;
using Gateway.Configuration;
using Gateway.Hardware;
using Gateway.Hosting;
using Gateway.Links;
using Gateway.Sampling;
using Gateway.Status;

namespace Gateway.Commands.BuiltIn;

/// <summary><c>status</c>: version, uptime, sensors and their health, outputs, links and their state, outbox figures, the audit's health.</summary>
internal sealed class StatusCommand(GatewayOptions options, SamplerService sampler, OutputService outputs, LinkRegistry links, Outbox.Outbox outbox, StatusBoard status, AuditLog audit)
    : ICommandHandler
{
    /// <inheritdoc/>
    public string Name => CommandNames.Status;

    /// <inheritdoc/>
    public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Only();
        return _ => Task.FromResult(Build());
    }

    private JsonObject Build()
    {
        var sensors = new JsonArray();
        foreach (var loop in sampler.Loops)
        {
            sensors.Add((JsonNode)new JsonObject
            {
                ["id"] = loop.Id,
                ["health"] = loop.State.ToString().ToLowerInvariant(),
                ["lastError"] = loop.LastError,
                ["reads"] = loop.Reads,
                ["skipped"] = loop.Skipped,
                ["interval"] = DurationParser.Format(loop.Interval),
            });
        }

        var outs = new JsonArray();
        foreach (var name in outputs.Configured)
        {
            bool? on;
            try
            {
                on = outputs.IsOn(name);
            }
            catch (KeyNotFoundException)
            {
                on = null; // configured but unavailable
            }

            outs.Add((JsonNode)new JsonObject { ["name"] = name, ["on"] = on, ["available"] = on is not null });
        }

        var linkArray = new JsonArray();
        foreach (var link in links.All)
        {
            linkArray.Add((JsonNode)new JsonObject { ["name"] = link.Name, ["kind"] = link.Kind, ["target"] = link.Target, ["state"] = link.State, ["lastError"] = link.LastError });
        }

        var f = outbox.Figures;
        var h = audit.Health;
        return new JsonObject
        {
            ["device"] = options.DeviceId,
            ["version"] = GatewayHost.Version,
            ["uptime"] = (long)(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds, // since the process started
            ["status"] = status.Line,
            ["sensors"] = sensors,
            ["outputs"] = outs,
            ["links"] = linkArray,
            ["outbox"] = new JsonObject
            {
                ["stored"] = f.Stored,
                ["pending"] = f.Pending,
                ["lastSeq"] = f.LastCommittedSeq,
                ["dropped"] = f.Dropped,
                ["gaps"] = f.Gaps,
                ["bytes"] = f.UsedBytes,
                ["diskTrouble"] = f.DiskTrouble,
            },
            ["audit"] = new JsonObject
            {
                ["state"] = audit.Describe(),
                ["failingSince"] = h.FailingSince?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["linesLost"] = h.LinesLost,
                ["unauthenticatedRefusals"] = audit.RefusedUnauthenticated,
            },
        };
    }
}
