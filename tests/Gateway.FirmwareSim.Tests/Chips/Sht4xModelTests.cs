using Gateway.FirmwareSim.Chips;
using Gateway.Hardware;

namespace Gateway.FirmwareSim.Tests.Chips;

/// <summary>The simulated SHT4x at command level (Sensirion SHT4x datasheet).</summary>
public sealed class Sht4xModelTests
{
    private readonly ChipHarness _h = new("climate", "sht4x");
    private readonly Sht4xModel _chip;

    public Sht4xModelTests() => _chip = new Sht4xModel("climate", "i2c-1@0x44", _h.Time, _h.Environment, _h.Faults, serialNumber: 0x0BAD_CAFE);

    private byte[] Read()
    {
        var data = new byte[6];
        _chip.Read(data);
        return data;
    }

    [Theory]
    [InlineData(-45.0, 0)]
    [InlineData(130.0, 65535)]
    [InlineData(25.0, 26214)] // 70·65535/175 = 26214.0
    public void The_temperature_signal_follows_the_conversion_formula(double celsius, int signal) =>
        Assert.Equal(signal, Sht4xModel.TemperatureSignal(celsius));

    [Theory]
    [InlineData(-6.0, 0)]
    [InlineData(119.0, 65535)]
    [InlineData(50.0, 29360)] // 56·65535/125 = 29359.68
    public void The_humidity_signal_follows_the_conversion_formula(double percent, int signal) =>
        Assert.Equal(signal, Sht4xModel.HumiditySignal(percent));

    [Theory]
    [InlineData(0xFD, 8.3)]
    [InlineData(0xF6, 4.5)]
    [InlineData(0xE0, 1.6)]
    public void A_measurement_is_not_acknowledged_before_its_maximum_duration_then_read_once(byte command, double ms)
    {
        _chip.Write([command]);
        _h.Time.Advance(TimeSpan.FromMilliseconds(ms - 0.2));
        Assert.Throws<BusNackException>(Read);

        _h.Time.Advance(TimeSpan.FromMilliseconds(0.2));
        var at = _h.Time.GetUtcNow();
        var frame = Read();

        Assert.Equal(SensirionCrc.Crc8(frame.AsSpan(0, 2)), frame[2]);
        Assert.Equal(SensirionCrc.Crc8(frame.AsSpan(3, 2)), frame[5]);
        var celsius = -45 + (175.0 * ((frame[0] << 8) | frame[1]) / 65535);
        var percent = -6 + (125.0 * ((frame[3] << 8) | frame[4]) / 65535);
        Assert.InRange(celsius - _h.Environment.Temperature(at), -0.002, 0.002);
        Assert.InRange(percent - _h.Environment.Humidity(at), -0.001, 0.001);
        Assert.Throws<BusNackException>(Read);
    }

    [Fact]
    public void The_serial_number_comes_as_two_words_each_with_its_crc()
    {
        _chip.Write([0x89]);
        _h.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal([0x0B, 0xAD, SensirionCrc.Crc8([0x0B, 0xAD]), 0xCA, 0xFE, SensirionCrc.Crc8([0xCA, 0xFE])], Read());
    }

    [Fact]
    public void A_soft_reset_drops_a_pending_measurement()
    {
        _chip.Write([0xFD]);
        _chip.Write([0x94]);
        _h.Time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Throws<BusNackException>(Read);
    }

    [Theory]
    [InlineData(0x39)] // heater 200 mW for 1 s, then a measurement
    [InlineData(0x12)] // not a command at all
    public void Commands_the_model_does_not_implement_are_not_acknowledged(byte command) =>
        Assert.Throws<BusNackException>(() => _chip.Write([command]));

    [Fact]
    public void Under_the_badcrc_fault_the_temperatures_crc_is_wrong()
    {
        _h.Faults.Inject("badcrc climate");
        _chip.Write([0xFD]);
        _h.Time.Advance(TimeSpan.FromMilliseconds(9));

        var frame = Read();
        Assert.NotEqual(SensirionCrc.Crc8(frame.AsSpan(0, 2)), frame[2]);
        Assert.Equal(SensirionCrc.Crc8(frame.AsSpan(3, 2)), frame[5]);
    }

    [Fact]
    public void Under_the_stuck_fault_a_measurement_never_becomes_ready()
    {
        _h.Faults.Inject("stuck climate");
        _chip.Write([0xFD]);
        _h.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Throws<BusNackException>(Read);
    }
}
