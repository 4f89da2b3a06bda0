using System.Collections.Concurrent;
using Gateway.Configuration;
using Gateway.Health;
using Gateway.Status;
using Gateway.Systemd;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Systemd;

public sealed class WatchdogServiceTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingNotifier _notifier = new();
    private readonly StatusBoard _status = new();
    private readonly HeartbeatRegistry _heartbeats;

    public WatchdogServiceTests() => _heartbeats = new HeartbeatRegistry(_time, TimeSpan.FromSeconds(10));

    private WatchdogService Create(SystemdEnvironment environment) => new(
        _notifier, environment, _heartbeats, _status, _time,
        new GatewayOptions { DeviceId = "pi-01", StateDirectory = "/tmp", Watchdog = new WatchdogOptions { HeartbeatTimeout = TimeSpan.FromSeconds(3) } },
        NullLogger<WatchdogService>.Instance);

    private static readonly SystemdEnvironment WithWatchdog = new() { NotifySocketAddress = "/s", WatchdogInterval = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Pings_at_half_the_watchdog_interval_while_heartbeats_are_fresh()
    {
        using var pipeline = _heartbeats.Register("pipeline");
        using var service = Create(WithWatchdog);
        await service.StartAsync(TestContext.Current.CancellationToken);
        await Eventually(() => _notifier.Count("WATCHDOG=1") == 1);

        for (var i = 2; i <= 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            pipeline.Beat();
            await Eventually(() => _notifier.Count("WATCHDOG=1") == i);
        }

        await service.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Stops_pinging_when_a_heartbeat_goes_silent_and_resumes_when_it_beats_again()
    {
        using var pipeline = _heartbeats.Register("pipeline");
        using var service = Create(WithWatchdog);
        await service.StartAsync(TestContext.Current.CancellationToken);
        await Eventually(() => _notifier.Count("WATCHDOG=1") == 1);

        // Silent for 1, 2, 3 s: still within the 3 s timeout, so pings continue.
        for (var i = 2; i <= 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Eventually(() => _notifier.Count("WATCHDOG=1") == i);
        }

        // 4 s and more: stale, the pings stop and the status says why.
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually(() => _status.Line.StartsWith("Stalled (pipeline silent for 4s", StringComparison.Ordinal));
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(4, _notifier.Count("WATCHDOG=1"));

        pipeline.Beat();
        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually(() => _notifier.Count("WATCHDOG=1") == 5);
        Assert.Equal("Running", _status.Line);
        await service.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Does_nothing_without_a_watchdog_interval()
    {
        using var pipeline = _heartbeats.Register("pipeline");
        using var service = Create(new SystemdEnvironment { NotifySocketAddress = "/s" });
        await service.StartAsync(TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(10));
        await Task.Delay(200, TestContext.Current.CancellationToken);

        Assert.Equal(0, _notifier.Count("WATCHDOG=1"));
        Assert.True(service.ExecuteTask!.IsCompleted);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        private readonly ConcurrentQueue<string> _sent = new();

        public bool IsEnabled => true;

        public void Notify(ServiceState state) => _sent.Enqueue(state.ToString());

        public int Count(string text) => _sent.Count(s => s == text);
    }
}
