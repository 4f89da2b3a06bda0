using Gateway.Health;
using Gateway.Outbox;
using Gateway.Sampling;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Outbox;

/// <summary>
/// When the outbox's committing task wakes: at the commit interval while something waits to be committed, and only to
/// beat its heartbeat (once a second) while nothing does, so that an idle gateway costs no polling (issue 15).
/// </summary>
public sealed class OutboxWakeUpTests : IDisposable
{
    private static readonly TimeSpan Fine = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Coarse = TimeSpan.FromMilliseconds(100);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-outbox-wake-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private OutboxOptions Options(TimeSpan commitInterval) => new() { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = commitInterval };

    [Fact]
    public async Task An_idle_outbox_sleeps_instead_of_waking_every_commit_interval()
    {
        var clock = new CountingClock(TimeProvider.System);
        await using var outbox = new OutboxStore(Options(TimeSpan.FromMilliseconds(20)), clock, NullLogger<OutboxStore>.Instance);
        outbox.Start();

        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

        // Polling every 20 ms would have woken ~75 times; the idle heartbeat once a second wakes it once or twice.
        Assert.InRange(clock.TimerCallbacks, 0, 3);
    }

    [Fact]
    public async Task An_idle_outbox_still_beats_its_heartbeat_once_per_beat_period()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var registry = new HeartbeatRegistry(time, TimeSpan.FromSeconds(10)); // beat period 2.5 s
        await using var outbox = new OutboxStore(Options(TimeSpan.FromMilliseconds(100)), time, NullLogger<OutboxStore>.Instance);
        using var heartbeat = registry.Register("outbox");
        outbox.Heartbeat = heartbeat;
        outbox.Start();

        for (var second = 0; second < 5; second++)
        {
            var beat = heartbeat.LastBeat;
            var needed = await Drive(time, Coarse, () => heartbeat.LastBeat != beat);
            Assert.InRange(needed, Coarse, TimeSpan.FromSeconds(2.5) + Coarse);
        }
    }

    [Fact]
    public async Task A_reading_after_a_quiet_spell_commits_within_the_commit_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var interval = TimeSpan.FromMilliseconds(100);
        await using var outbox = new OutboxStore(Options(interval), time, NullLogger<OutboxStore>.Instance);
        outbox.Start();
        await Idle(time, TimeSpan.FromSeconds(3)); // long enough for the task to be asleep

        outbox.Accept(new SampledReading("env", "temperature", 21.5, "Cel", time.GetUtcNow()));
        var needed = await Drive(time, Fine, () => outbox.LastCommitted >= 1);

        Assert.InRange(needed, Fine, interval + (2 * Fine));
    }

    [Fact]
    public async Task An_acknowledgement_alone_after_a_quiet_spell_commits_within_the_commit_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var interval = TimeSpan.FromMilliseconds(100);
        await using var outbox = new OutboxStore(Options(interval), time, NullLogger<OutboxStore>.Instance);
        outbox.Start();
        outbox.Accept(new SampledReading("env", "temperature", 21.5, "Cel", time.GetUtcNow()));
        await Drive(time, Fine, () => outbox.LastCommitted >= 1);
        outbox.Cursor("tcp", durable: true);
        await Idle(time, TimeSpan.FromSeconds(3));
        var commits = outbox.Figures.Commits;

        outbox.Acknowledge("tcp", 1, durable: true);
        var needed = await Drive(time, Fine, () => outbox.Figures.Commits > commits);

        Assert.InRange(needed, Fine, interval + (2 * Fine));
    }

    // Moves the fake clock a step at a time, letting the committing task run between steps (it runs on the thread pool,
    // on real time), until the condition holds; returns how much fake time that took. At most 5 s of fake time.
    private static async Task<TimeSpan> Drive(FakeTimeProvider time, TimeSpan step, Func<bool> done)
    {
        for (var passed = step; passed <= TimeSpan.FromSeconds(5); passed += step)
        {
            time.Advance(step);
            for (var i = 0; i < 20 && !done(); i++)
            {
                await Task.Delay(1, TestContext.Current.CancellationToken);
            }

            if (done())
            {
                return passed;
            }
        }

        throw new TimeoutException("the condition did not hold within 5 s of fake time");
    }

    // Lets fake time pass with nothing happening.
    private static async Task Idle(FakeTimeProvider time, TimeSpan span)
    {
        for (var passed = TimeSpan.Zero; passed < span; passed += Coarse)
        {
            time.Advance(Coarse);
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
