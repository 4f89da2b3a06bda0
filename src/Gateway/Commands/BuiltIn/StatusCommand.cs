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
internal sealed class StatusCommand(GatewayOptions options, SamplerService sampler, OutputService outputs, LinkRegistry links, Outbox.Outbox outbox, StatusBoard status, AuditLog audit, TimeProvider time)
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
            var entry = new JsonObject { ["name"] = link.Name, ["kind"] = link.Kind, ["target"] = link.Target, ["state"] = link.State, ["lastError"] = link.LastError };
            if (outbox.Owed(link.Name) is { } owed) // a link that keeps a place in the outbox (not UDP)
            {
                var now = time.GetUtcNow();
                entry["acknowledged"] = owed.Acknowledged;
                entry["backlog"] = owed.Backlog;
                entry["oldestUnacknowledged"] = Timestamp(owed.Oldest);
                entry["oldestUnacknowledgedSeconds"] = owed.Oldest is { } oldest ? Math.Max(0, (long)(now - oldest).TotalSeconds) : null;
                entry["lastAck"] = Timestamp(owed.LastAck);
                entry["lastAckSeconds"] = owed.LastAck is { } ack ? Math.Max(0, (long)(now - ack).TotalSeconds) : null;
            }

            linkArray.Add((JsonNode)entry);
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
                ["failingSince"] = Timestamp(h.FailingSince),
                ["linesLost"] = h.LinesLost,
                ["unauthenticatedRefusals"] = audit.RefusedUnauthenticated,
            },
        };
    }

    private static string? Timestamp(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
