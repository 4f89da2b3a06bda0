using Gateway.Links;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Hosting;

/// <summary>
/// Reads the figures the gateway already keeps into an <see cref="ActivitySnapshot"/> for the periodic summary: the
/// sensor loops' read counts and health (<see cref="SamplerService"/>), the outbox's figures since start
/// (<see cref="Outbox.Outbox.Figures"/>) and each link's state (<see cref="LinkRegistry"/>: every link, the UDP
/// broadcast link too); no per-link delivery figure exists yet.
/// </summary>
internal static class ActivitySnapshots
{
    /// <summary>A reader over the services of <paramref name="services"/>.</summary>
    public static Func<ActivitySnapshot> Reader(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var sampler = services.GetRequiredService<SamplerService>();
        var outbox = services.GetRequiredService<Outbox.Outbox>();
        var links = services.GetRequiredService<LinkRegistry>();
        return () =>
        {
            var loops = sampler.Loops;
            var figures = outbox.Figures;
            return new ActivitySnapshot(
                loops.Sum(l => l.Reads),
                figures.Stored,
                figures.LastCommittedSeq,
                figures.Dropped,
                [.. loops.Select(l => new KeyValuePair<string, string>(l.Id, l.State.ToString().ToLowerInvariant()))],
                [.. links.All.Select(l => new KeyValuePair<string, string>(l.Name, l.State))]);
        };
    }
}
