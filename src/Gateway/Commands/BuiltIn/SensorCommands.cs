using System.Text.Json.Nodes;
using Gateway.Configuration;
using Gateway.Sampling;

namespace Gateway.Commands.BuiltIn;

/// <summary><c>sensor.read</c> <c>{"sensor":"env"}</c>: reads a sensor now and returns its values (they are also stored, like any reading).</summary>
internal sealed class SensorReadCommand(SamplerService sampler) : ICommandHandler
{
    /// <inheritdoc/>
    public string Name => CommandNames.SensorRead;

    /// <inheritdoc/>
    public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Only("sensor");
        var loop = SensorArgument.Resolve(sampler, args.String("sensor"));
        return async token =>
        {
            var outcome = await loop.ReadNowAsync(token).ConfigureAwait(false);
            if (outcome.Values is null)
            {
                throw new CommandFailedException($"sensor {loop.Id} did not give a reading: {outcome.Error}");
            }

            var values = new JsonArray();
            foreach (var m in outcome.Values)
            {
                values.Add((JsonNode)new JsonObject { ["quantity"] = m.Quantity, ["value"] = double.IsFinite(m.Value) ? m.Value : null, ["unit"] = m.Unit });
            }

            return new JsonObject
            {
                ["sensor"] = loop.Id,
                ["ts"] = outcome.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["values"] = values,
            };
        };
    }
}

/// <summary>
/// <c>sampling.set</c> <c>{"sensor":"env","interval":"2s"}</c> and/or <c>{"sensor":"env","quantity":"temperature","deadband":0.2}</c>:
/// changes a sensor's interval or a quantity's deadband at run time (until restart; configuration is not rewritten).
/// </summary>
internal sealed class SamplingSetCommand(SamplerService sampler) : ICommandHandler
{
    /// <inheritdoc/>
    public string Name => CommandNames.SamplingSet;

    /// <inheritdoc/>
    public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Only("sensor", "interval", "quantity", "deadband");
        var loop = SensorArgument.Resolve(sampler, args.String("sensor"));
        var interval = args.OptionalDuration("interval", TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1)); // the limits of Gateway:Sensors:<id>:Interval
        var quantity = args.OptionalString("quantity");
        var deadband = args.OptionalNumber("deadband", 0, 1e9);
        if (interval is null && deadband is null)
        {
            throw new CommandArgumentException("give 'interval', or 'quantity' and 'deadband', or both");
        }

        if ((quantity is null) != (deadband is null))
        {
            throw new CommandArgumentException("'quantity' and 'deadband' go together");
        }

        return async token =>
        {
            if (deadband is { } d)
            {
                await loop.SetDeadbandAsync(quantity!, d, token).ConfigureAwait(false);
            }

            if (interval is { } i)
            {
                loop.SetInterval(i);
            }

            var deadbands = new JsonObject();
            foreach (var (q, v) in loop.Deadbands)
            {
                deadbands[q] = v;
            }

            return new JsonObject { ["sensor"] = loop.Id, ["interval"] = DurationParser.Format(loop.Interval), ["deadbands"] = deadbands };
        };
    }
}

/// <summary>Checks a <c>sensor</c> argument against the sensors being sampled.</summary>
internal static class SensorArgument
{
    /// <summary>The loop of sensor <paramref name="id"/>.</summary>
    /// <exception cref="CommandArgumentException">No such sensor.</exception>
    public static SensorLoop Resolve(SamplerService sampler, string id) =>
        sampler.Loops.FirstOrDefault(l => string.Equals(l.Id, id, StringComparison.OrdinalIgnoreCase))
        ?? throw new CommandArgumentException($"no sensor '{id}'; sensors: {string.Join(", ", sampler.Loops.Select(l => l.Id))}");
}
