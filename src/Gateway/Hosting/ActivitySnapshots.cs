using Gateway.Links;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Hosting;

/// <summary>
/// Reads the figures the gateway already keeps into an <see cref="ActivitySnapshot"/> for the periodic summary: the
/// sensor loops' read counts and health (<see cref="SamplerService"/>), the outbox's figures since start
/// (<see cref="Outbox.Outbox.Figures"/>) and each link's state (<see cref="LinkRegistry"/>: every link, the UDP
/// broadcast link too), with what each link that keeps a place in the outbox has had acknowledged and still owes
/// (<see cref="Outbox.Outbox.Owed"/>).
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
                [.. links.All.Select(l => new KeyValuePair<string, string>(l.Name, l.State))],
                links.All.Select(l => (l.Name, Owed: outbox.Owed(l.Name))).Where(o => o.Owed is not null)
                    .ToDictionary(o => o.Name, o => (o.Owed!.Acknowledged, o.Owed.Backlog), StringComparer.Ordinal));
        };
    }
}
