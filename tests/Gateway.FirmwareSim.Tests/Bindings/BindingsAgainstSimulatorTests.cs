using System.Device.Gpio;
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware;
using Gateway.Hardware.Devices.Ads1115;
using Gateway.Hardware.Devices.Bh1750;
using Gateway.Hardware.Devices.Bme280;
using Gateway.Hardware.Devices.DigitalInput;
using Gateway.Hardware.Devices.DigitalOutput;
using Gateway.Hardware.Devices.Ds18b20;
using Gateway.Hardware.Devices.Sht3x;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.FirmwareSim.Tests.Bindings;

/// <summary>The real device bindings, unchanged, against the simulated board: the values come back within each chip's resolution.</summary>
public sealed class BindingsAgainstSimulatorTests : IDisposable
{
    private readonly FakeTimeProvider _time = SimClock.At();
    private readonly SimulatedBoard _board;

    public BindingsAgainstSimulatorTests() => _board = new SimulatedBoard(ScenarioLoader.Default(), _time);

    public void Dispose() => _board.Dispose();

    [Fact]
    public async Task Bme280_reads_the_environment_back_through_the_real_compensation()
    {
        using var bme = new Bme280(_board.OpenI2cBus(1).CreateDevice(0x76), _time);

        var r = await SimClock.Drive(_time, () => bme.ReadAsync(CancellationToken.None));

        var at = _time.GetUtcNow();
        Assert.InRange(r.TemperatureCelsius - _board.Environment.Temperature(at), -0.011, 0.011);
        Assert.InRange(r.PressurePascal - _board.Environment.Pressure(at), -1.0, 1.0);
        Assert.InRange(r.HumidityPercent - _board.Environment.Humidity(at), -0.05, 0.05);
    }

    [Fact]
    public async Task Sht3x_reads_temperature_and_humidity_with_valid_crcs()
    {
        using var sht = new Sht3x(_board.OpenI2cBus(1).CreateDevice(0x44), _time);

        var r = await SimClock.Drive(_time, () => sht.ReadAsync(CancellationToken.None));

        var at = _time.GetUtcNow();
        Assert.InRange(r.TemperatureCelsius - _board.Environment.Temperature(at), -0.01, 0.01);
        Assert.InRange(r.HumidityPercent - _board.Environment.Humidity(at), -0.01, 0.01);
    }

    [Fact]
    public async Task Bh1750_reads_daylight_after_its_measurement_time()
    {
        using var bh = new Bh1750(_board.OpenI2cBus(1).CreateDevice(0x23), _time);

        var lux = await SimClock.Drive(_time, () => bh.ReadIlluminanceAsync(CancellationToken.None));

        Assert.InRange(lux - _board.Environment.Light(_time.GetUtcNow()), -1.0, 1.0);
        Assert.True(lux > 1000, $"{lux} lx at noon");
    }

    [Fact]
    public async Task Ads1115_converts_each_channel_within_one_step()
    {
        var spec = _board.Scenario.Devices.Single(d => d.Name == "analog");
        using var adc = new Ads1115(_board.OpenI2cBus(1).CreateDevice(0x48), _time, [(0, "soil"), (1, "battery")], Ads1115Gain.Fsr4096);

        var v0 = await SimClock.Drive(_time, () => adc.ReadVoltageAsync(0, CancellationToken.None));
        var expected0 = _board.Environment.Analog(spec, 0, _time.GetUtcNow());
        var v1 = await SimClock.Drive(_time, () => adc.ReadVoltageAsync(1, CancellationToken.None));

        Assert.InRange(v0 - expected0, -0.0005, 0.0005);
        Assert.InRange(v1 - 3.9, -0.005, 0.005);
    }

    [Fact]
    public async Task Ads1115_clips_at_full_scale()
    {
        using var adc = new Ads1115(_board.OpenI2cBus(1).CreateDevice(0x48), _time, [(1, "battery")], Ads1115Gain.Fsr2048);

        var v = await SimClock.Drive(_time, () => adc.ReadVoltageAsync(1, CancellationToken.None));

        Assert.Equal(2.048 * 32767 / 32768, v, 9); // 3.9 V does not fit ±2.048 V
    }

    [Fact]
    public async Task Ds18b20_reads_the_sysfs_file_the_board_writes()
    {
        var ds = new Ds18b20(_board.OneWire, "28-000005e2fdc3");

        var t = await ds.ReadTemperatureAsync(CancellationToken.None);

        Assert.InRange(t - (_board.Environment.Temperature(_time.GetUtcNow()) - 4), -0.07, 0.07); // 1/16 °C steps, offset −4
        Assert.Equal(["28-000005e2fdc3"], _board.OneWire.EnumerateDevices(0x28));
    }

    [Fact]
    public async Task Digital_input_counts_the_flow_meters_pulses_and_computes_its_rate()
    {
        using var gpio = _board.OpenGpioChip(0);
        using var flow = new DigitalInput(gpio, gpio.ResolvePin("GPIO27"), PinMode.InputPullDown, TimeSpan.FromMilliseconds(1), PinEventTypes.Rising, _time);

        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10)); // 10 s; the pulse train runs 7.5 Hz for the first 30 s of each minute
        }

        Assert.Equal(75, flow.Count);
        var readings = await flow.ReadAsync(CancellationToken.None);
        Assert.Equal(7.5, readings.Single(m => m.Quantity == "rate").Value, 1);
        Assert.Equal(0, flow.DroppedEdges);
    }

    [Fact]
    public void Digital_input_sees_the_door_open_and_close()
    {
        using var gpio = _board.OpenGpioChip(0);
        using var door = new DigitalInput(gpio, 17, PinMode.InputPullUp, TimeSpan.FromMilliseconds(20), PinEventTypes.Rising | PinEventTypes.Falling, _time);
        var edges = new List<PinEventTypes>();
        door.Changed += (_, e) => edges.Add(e.ChangeType);

        Assert.False(door.IsHigh); // closed at start
        _time.Advance(TimeSpan.FromSeconds(76)); // opens at 75 s of every 90
        Assert.True(door.IsHigh);
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.False(door.IsHigh);
        for (var i = 0; i < 10; i++)
        {
            _board.Pump();
        }

        Assert.Equal([PinEventTypes.Rising, PinEventTypes.Falling], edges);
    }

    [Fact]
    public void Digital_output_starts_in_its_safe_state_switches_and_returns_to_it_at_dispose()
    {
        using var gpio = _board.OpenGpioChip(0);
        var relay = new DigitalOutput("relay", gpio, 22, activeLow: true, safeOn: false);

        Assert.Equal(PinValue.High, _board.LineLevel(0, 22)); // active-low: off is high
        relay.Set(true);
        Assert.Equal(PinValue.Low, _board.LineLevel(0, 22));
        relay.Dispose();

        Assert.Equal(PinValue.High, _board.LineLevel(0, 22));
        Assert.False(gpio.IsPinOpen(22));
    }

    [Fact]
    public void A_line_held_by_another_user_is_busy()
    {
        using var first = _board.OpenGpioChip(0);
        using var second = _board.OpenGpioChip(0);
        first.OpenPin(22, PinMode.Output);

        Assert.Throws<DeviceBusyException>(() => second.OpenPin(22, PinMode.Output));
    }

    [Fact]
    public async Task A_missing_device_does_not_acknowledge()
    {
        using var bme = new Bme280(_board.OpenI2cBus(1).CreateDevice(0x77), _time);

        await Assert.ThrowsAsync<BusNackException>(() => SimClock.Drive(_time, () => bme.ReadAsync(CancellationToken.None)));
    }
}
