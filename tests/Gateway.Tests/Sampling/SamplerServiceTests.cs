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
