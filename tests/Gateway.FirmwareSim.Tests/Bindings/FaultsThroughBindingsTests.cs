using System.Device.Gpio;
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware;
using Gateway.Hardware.Devices.Ads1115;
using Gateway.Hardware.Devices.Bh1750;
using Gateway.Hardware.Devices.Bme280;
using Gateway.Hardware.Devices.Ds18b20;
using Gateway.Hardware.Devices.Sht3x;
using Gateway.Hardware.Sensors;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.FirmwareSim.Tests.Bindings;

/// <summary>Every injected fault surfaces as a typed error from the real binding; after the fault is cleared, the binding reads correctly again.</summary>
public sealed class FaultsThroughBindingsTests : IDisposable
{
    private readonly FakeTimeProvider _time = SimClock.At();
    private readonly SimulatedBoard _board;

    public FaultsThroughBindingsTests() => _board = new SimulatedBoard(ScenarioLoader.Default(), _time);

    public void Dispose() => _board.Dispose();

    private ISensor Sensor(string name) => name switch
    {
        "env" => new Bme280(_board.OpenI2cBus(1).CreateDevice(0x76), _time),
        "climate" => new Sht3x(_board.OpenI2cBus(1).CreateDevice(0x44), _time),
        "light" => new Bh1750(_board.OpenI2cBus(1).CreateDevice(0x23), _time),
        "analog" => new Ads1115(_board.OpenI2cBus(1).CreateDevice(0x48), _time, [(0, "soil")]),
        "water" => new Ds18b20(_board.OneWire, "28-000005e2fdc3"),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string, string, Type> Faults() => new()
    {
        { "nack env", "env", typeof(BusNackException) },
        { "timeout env", "env", typeof(BusTimeoutException) },
        { "gone env", "env", typeof(BusNackException) },
        { "wrongid env", "env", typeof(UnexpectedChipException) },
        { "stuck env", "env", typeof(ImplausibleReadingException) },
        { "nack climate", "climate", typeof(BusNackException) },
        { "badcrc sht3x", "climate", typeof(ChecksumException) },
        { "stuck climate", "climate", typeof(BusNackException) },
        { "timeout light", "light", typeof(BusTimeoutException) },
        { "stuck bh1750", "light", typeof(BusNackException) },
        { "nack analog", "analog", typeof(BusNackException) },
        { "stuck analog", "analog", typeof(ImplausibleReadingException) },
        { "gone water", "water", typeof(DeviceNotFoundException) },
        { "badcrc water", "water", typeof(ChecksumException) },
        { "stuck ds18b20", "water", typeof(ImplausibleReadingException) },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task An_injected_fault_is_a_typed_error_and_the_sensor_reads_again_once_it_is_cleared(string fault, string sensor, Type error)
    {
        using var s = Sensor(sensor);
        var before = await SimClock.Drive(_time, () => s.ReadAsync(CancellationToken.None));
        Assert.NotEmpty(before);

        _board.Faults.Inject(fault);
        var ex = await Record.ExceptionAsync(() => SimClock.Drive(_time, () => s.ReadAsync(CancellationToken.None)));
        Assert.IsType(error, ex);

        _board.Faults.Clear(fault.Split(' ')[1]);
        var after = await SimClock.Drive(_time, () => s.ReadAsync(CancellationToken.None));
        Assert.Equal(before.Select(m => m.Quantity), after.Select(m => m.Quantity));
        Assert.All(after, m => Assert.False(double.IsNaN(m.Value)));
    }

    [Fact]
    public void A_busy_fault_on_a_line_refuses_to_open_it()
    {
        using var gpio = _board.OpenGpioChip(0);
        _board.Faults.Inject("busy gpio17");

        Assert.Throws<DeviceBusyException>(() => gpio.OpenPin(17, PinMode.Input));
        _board.Faults.Clear("gpio17");
        gpio.OpenPin(17, PinMode.Input);
    }

    [Fact]
    public async Task A_fault_with_a_duration_ends_by_itself()
    {
        using var s = Sensor("env");
        _board.Faults.Inject("nack env 2s");
        await Assert.ThrowsAsync<BusNackException>(() => SimClock.Drive(_time, () => s.ReadAsync(CancellationToken.None)));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(_board.Faults.ActiveFaults);
        await SimClock.Drive(_time, () => s.ReadAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("melt env", "unknown fault kind 'melt'")]
    [InlineData("nack", "is not a fault")]
    [InlineData("nack toaster", "'toaster' is not a device of this board")]
    [InlineData("timeout env soon", "'soon' is not a duration")]
    public void A_bad_fault_description_is_refused_saying_why(string fault, string message)
    {
        var ex = Assert.Throws<FormatException>(() => _board.Faults.Inject(fault));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
