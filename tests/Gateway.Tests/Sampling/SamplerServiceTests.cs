using Gateway.Configuration;
using Gateway.Hardware;
using Gateway.Hardware.Sensors;
using Gateway.Health;
using Gateway.Sampling;
using Gateway.Status;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Sampling;

/// <summary>The sampler's loops as the rest of the gateway sees them while the host starts.</summary>
public sealed class SamplerServiceTests
{
    [Fact]
    public void Every_configured_sensor_has_its_loop_as_soon_as_the_service_exists_so_readers_never_see_the_list_change()
    {
        // Status, commands and the activity summary read Loops from other threads while the host starts; on 4a9bec8 the
        // loops were added in ExecuteAsync, and the summary's start enumerated the list while it grew ("Collection was
        // modified": the host failed to start, seen in TlsLinkTests and SystemdNotifyTests).
        var options = GatewayOptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
        [
            new("Gateway:DeviceId", "pi-01"),
            new("Gateway:Sensors:env:Type", "Bme280"), new("Gateway:Sensors:env:Address", "0x76"),
            new("Gateway:Sensors:climate:Type", "Sht3x"), new("Gateway:Sensors:climate:Address", "0x44"),
            new("Gateway:Sensors:water:Type", "Ds18b20"), new("Gateway:Sensors:water:Device", "28-000005e2fdc3"),
        ]).Build(), "/").Options;

        using var sampler = new SamplerService(options, new NeverOpens(), new NullSink(), new HeartbeatRegistry(TimeProvider.System, TimeSpan.FromSeconds(10)), new StatusBoard(), TimeProvider.System, NullLoggerFactory.Instance);

        Assert.Equal(["climate", "env", "water"], sampler.Loops.Select(l => l.Id).Order(StringComparer.Ordinal));
        Assert.Throws<NotSupportedException>(() => ((IList<SensorLoop>)sampler.Loops).Add(sampler.Loops[0]));
    }

    [Fact]
    public async Task Given_a_sampling_clock_the_loops_read_on_its_thread_while_the_heartbeat_keeps_the_services_clock()
    {
        var options = GatewayOptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(
        [
            new("Gateway:DeviceId", "pi-01"),
            new("Gateway:Sampling:Interval", "50ms"),
            new("Gateway:Sensors:env:Type", "Bme280"), new("Gateway:Sensors:env:Address", "0x76"),
        ]).Build(), "/").Options;
        var sampling = new Gateway.Timing.SchedulerTimeProvider("test sampler", inlineCallbacks: true);
        var sensor = new ThreadRecordingSensor();
        var heartbeats = new HeartbeatRegistry(TimeProvider.System, TimeSpan.FromSeconds(10));
        using var sampler = new SamplerService(options, new OpensOnly(sensor), new NullSink(), heartbeats, new StatusBoard(), TimeProvider.System, NullLoggerFactory.Instance, sampling);

        await sampler.StartAsync(TestContext.Current.CancellationToken);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (sensor.Threads.Count < 3)
            {
                await Task.Delay(10, deadline.Token);
            }
        }

        await sampler.StopAsync(TestContext.Current.CancellationToken);

        // The first read may run where the loop started (a thread-pool thread); every read after a slot wait runs on
        // the sampling clock's thread.
        Assert.All(sensor.Threads.Skip(1), name => Assert.Equal("test sampler", name));
        Assert.True(sampling.WakeUps > 0);
    }

    private sealed class ThreadRecordingSensor : ISensor
    {
        public System.Collections.Concurrent.ConcurrentQueue<string?> Threads { get; } = new();

        public string Description => "thread-recording sensor";

        public ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken)
        {
            Threads.Enqueue(Thread.CurrentThread.Name);
            return ValueTask.FromResult<IReadOnlyList<Measurement>>([new("temperature", 21.5, Units.Celsius)]);
        }

        public void Dispose()
        {
        }
    }

    private sealed class OpensOnly(ISensor sensor) : ISensorFactory
    {
        public ISensor Create(SensorOptions options) => sensor;
    }

    private sealed class NeverOpens : ISensorFactory
    {
        public ISensor Create(SensorOptions sensor) => throw new DeviceNotFoundException($"{sensor.Id}: not in this test");
    }

    private sealed class NullSink : IReadingSink
    {
        public void Accept(in SampledReading reading)
        {
        }

        public void AcceptHealth(HealthChange change, DateTimeOffset timestamp)
        {
        }
    }
}
