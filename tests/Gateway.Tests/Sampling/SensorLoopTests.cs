using System.Collections.Concurrent;
using Gateway.Hardware;
using Gateway.Hardware.Sensors;
using Gateway.Sampling;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sampling;

public sealed class SensorLoopTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
    private readonly ScriptedSensor _sensor = new();
    private readonly RecordingSink _sink = new();
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private SensorLoop Create(IReadOnlyDictionary<string, double>? deadbands = null, Func<ISensor>? factory = null) => new(
        "env", Interval, factory ?? (() => _sensor), new ReportFilter(deadbands ?? new Dictionary<string, double>(), TimeSpan.FromMinutes(10)),
        _sink, _time, TimeSpan.FromSeconds(2), NullLogger.Instance);

    [Fact]
    public async Task A_healthy_sensor_is_read_once_per_interval_and_every_value_delivered()
    {
        var loop = Create();
        var run = loop.RunAsync(_stop.Token);
        await Until(() => _sensor.Calls == 1);

        for (var i = 2; i <= 5; i++)
        {
            _time.Advance(Interval);
            await Until(() => _sensor.Calls == i);
        }

        Assert.Equal(5, _sink.Readings.Count);
        Assert.All(_sink.Readings, r => Assert.Equal(("env", "temperature", "Cel"), (r.SensorId, r.Quantity, r.Unit)));
        Assert.Equal(
            Enumerable.Range(0, 5).Select(k => _time.Start + (Interval * k)),
            _sink.Readings.Select(r => r.Timestamp));
        _stop.Cancel();
        await run;
    }

    [Fact]
    public async Task A_read_that_ends_just_before_its_next_slot_is_not_followed_by_a_read_in_the_same_millisecond()
    {
        // The first read overruns to 0.4 ms before the next slot. Task.Delay returns at once for less than a millisecond,
        // so the next read used to start at once, stamped in the same millisecond: one point in InfluxDB for two samples.
        _sensor.OnRead = call =>
        {
            if (call == 1)
            {
                _time.Advance(Interval - TimeSpan.FromTicks(4_000));
            }
        };
        var loop = Create();
        var run = loop.RunAsync(_stop.Token);
        await Until(() => _sensor.Calls >= 1);
        for (var step = 0; step < 10 && _sensor.Calls < 2; step++)
        {
            await Until(() => _sensor.Calls == 2, allowTimeout: true);
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await Until(() => _sensor.Calls == 2);
        var stamps = _sink.Readings.Select(r => r.Timestamp.ToUnixTimeMilliseconds()).ToList();
        Assert.Equal(2, stamps.Count);
        Assert.True(stamps[1] > stamps[0], $"two samples stamped in millisecond {stamps[0]}");
        Assert.True(_sink.Readings[1].Timestamp >= _time.Start + Interval, "the second read started before its slot");
        _stop.Cancel();
        await run;
    }

    [Fact]
    public async Task A_failing_sensor_reports_failing_then_failed_and_backs_off()
    {
        _sensor.Fail = new BusNackException("BME280 at i2c-1@0x76: no acknowledge", "i2c-1@0x76");
        var loop = Create();
        var run = loop.RunAsync(_stop.Token);
        await Until(() => _sensor.Calls == 1);
        var attempts = new List<double> { 0 };

        // Backoff after 1, 2, 3 errors: 5 s, 10 s, 20 s — attempts at 0, 5, 15, 35 s.
        foreach (var expected in new[] { 5.0, 15.0, 35.0 })
        {
            var calls = _sensor.Calls;
            while (_sensor.Calls == calls)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                await Task.Yield();
                await Until(() => _sensor.Calls > calls || (_time.GetUtcNow() - _time.Start).TotalSeconds < expected, allowTimeout: true);
            }

            attempts.Add((_time.GetUtcNow() - _time.Start).TotalSeconds);
        }

        Assert.Equal([0, 5, 15, 35], attempts);
        Assert.Equal([HealthState.Failing, HealthState.Failed], _sink.Health.Select(h => h.State));
        Assert.Equal("BME280 at i2c-1@0x76: no acknowledge", _sink.Health[0].Message);
        Assert.Empty(_sink.Readings);
        Assert.Equal(HealthState.Failed, loop.State);
        _stop.Cancel();
        await run;
    }

    [Fact]
    public async Task A_sensor_that_recovers_reports_recovery_and_fresh_values_even_inside_the_deadband()
    {
        var loop = Create(new Dictionary<string, double> { ["temperature"] = 1.0 });
        await loop.ReadOnceAsync(_stop.Token);
        _sensor.Fail = new ChecksumException("CRC mismatch");
        await loop.ReadOnceAsync(_stop.Token);
        _sensor.Fail = null;
        await loop.ReadOnceAsync(_stop.Token);

        Assert.Equal([HealthState.Failing, HealthState.Ok], _sink.Health.Select(h => h.State));
        Assert.Equal(2, _sink.Readings.Count); // 21.5 both times, but the recovery resets the deadband
    }

    [Fact]
    public async Task A_read_that_hangs_is_cut_off_by_the_read_timeout_as_a_bus_timeout()
    {
        _sensor.Hang = true;
        var loop = Create();
        var read = loop.ReadOnceAsync(_stop.Token);
        await Until(() => _sensor.Calls == 1);
        Assert.NotNull(loop.ReadingFor);

        _time.Advance(TimeSpan.FromSeconds(2));
        await read;

        var change = Assert.Single(_sink.Health);
        Assert.Equal(HealthState.Failing, change.State);
        Assert.Contains("no answer within 2s", change.Message, StringComparison.Ordinal);
        Assert.Null(loop.ReadingFor);
    }

    [Fact]
    public async Task A_sensor_that_cannot_be_created_is_failing_and_created_again_on_the_next_attempt()
    {
        var attempts = 0;
        var loop = Create(factory: () => ++attempts == 1 ? throw new DeviceNotFoundException("firmware-sim not running") : _sensor);

        await loop.ReadOnceAsync(_stop.Token);
        await loop.ReadOnceAsync(_stop.Token);

        Assert.Equal(2, attempts);
        Assert.Equal([HealthState.Failing, HealthState.Ok], _sink.Health.Select(h => h.State));
        Assert.Single(_sink.Readings);
    }

    [Fact]
    public async Task Values_inside_the_deadband_are_not_delivered()
    {
        var loop = Create(new Dictionary<string, double> { ["temperature"] = 1.0 });
        for (var i = 0; i < 5; i++)
        {
            await loop.ReadOnceAsync(_stop.Token);
        }

        Assert.Single(_sink.Readings);
        Assert.Equal(5, loop.Reads);
    }

    private static async Task Until(Func<bool> condition, bool allowTimeout = false)
    {
        var deadline = DateTime.UtcNow.AddSeconds(allowTimeout ? 0.2 : 10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.True(allowTimeout, "condition not met within 10 s");
                return;
            }

            await Task.Delay(5);
        }
    }

    private sealed class ScriptedSensor : ISensor
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Exception? Fail { get; set; }

        public bool Hang { get; set; }

        /// <summary>Runs inside each read with the read's number (1 for the first), e.g. to let the clock pass.</summary>
        public Action<int>? OnRead { get; set; }

        public string Description => "scripted";

        public async ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            OnRead?.Invoke(call);
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return Fail is { } ex ? throw ex : [new Measurement("temperature", 21.5, Units.Celsius)];
        }

        public void Dispose()
        {
        }
    }

    private sealed class RecordingSink : IReadingSink
    {
        private readonly ConcurrentQueue<SampledReading> _readings = new();
        private readonly ConcurrentQueue<HealthChange> _health = new();

        public IReadOnlyList<SampledReading> Readings => [.. _readings];

        public IReadOnlyList<HealthChange> Health => [.. _health];

        public void Accept(in SampledReading reading) => _readings.Enqueue(reading);

        public void AcceptHealth(HealthChange change, DateTimeOffset timestamp) => _health.Enqueue(change);
    }
}
