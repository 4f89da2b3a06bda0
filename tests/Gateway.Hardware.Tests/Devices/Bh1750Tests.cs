using Gateway.Hardware.Devices.Bh1750;
using Gateway.Hardware.Sensors;
using Gateway.Hardware.Tests.Devices.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Hardware.Tests.Devices;

/// <summary>The BH1750 binding against an instruction-level fake of the chip.</summary>
public sealed class Bh1750Tests : IDisposable
{
    private readonly FakeTimeProvider _time = Clock.Start();
    private readonly FakeBh1750 _chip;
    private readonly Bh1750 _bh;

    public Bh1750Tests()
    {
        _chip = new FakeBh1750(_time);
        _bh = new Bh1750(_chip, _time);
    }

    public void Dispose() => _bh.Dispose();

    private Task<double> Read() => Clock.Drive(_time, () => _bh.ReadIlluminanceAsync(CancellationToken.None));

    [Fact]
    public async Task The_datasheet_example_count_0x8390_reads_about_28067_lux()
    {
        var lux = await Read();

        Assert.Equal(28067, lux, 0);
        Assert.Equal([(byte)0x01, (byte)0x20], _chip.Opcodes); // Power On, One Time H-Resolution Mode
        Assert.Equal(["W 0x01", "W 0x20", "R 2"], _chip.Transfers); // one opcode per transaction
    }

    [Fact]
    public async Task The_sensor_interface_reports_illuminance_in_lux()
    {
        var m = await Clock.Drive(_time, () => ((ISensor)_bh).ReadAsync(CancellationToken.None));
        Assert.Equal("illuminance", Assert.Single(m).Quantity);
        Assert.Equal(Units.Lux, m[0].Unit);
        Assert.Equal("BH1750 at i2c-1@0x23", _bh.Description);
    }

    [Fact]
    public async Task The_result_is_read_no_sooner_than_180_ms_so_it_is_never_the_previous_measurement()
    {
        await Read();
        _chip.NextCount = 1200;

        var lux = await Read();

        Assert.Equal(1000, lux, 6);
        Assert.True(_chip.ResultReads[1] - _chip.Started[1].At >= TimeSpan.FromMilliseconds(180));
    }

    [Fact]
    public async Task A_measurement_time_register_of_138_is_sent_as_two_opcodes_and_scales_the_wait_and_the_lux()
    {
        _bh.MeasurementTime = 138;
        Assert.Equal(TimeSpan.FromMilliseconds(360), _bh.MaxMeasurementTime);

        var lux = await Read();

        // 138 = 0b100_01010: 0x40 | 0b100 = 0x44, 0x60 | 0b01010 = 0x6A.
        Assert.Equal([(byte)0x01, (byte)0x44, (byte)0x6A, (byte)0x20], _chip.Opcodes);
        Assert.Equal(138, _chip.MeasurementTime);
        Assert.Equal(0x8390 / 1.2 * 69 / 138, lux, 6);
        Assert.True(_chip.ResultReads[0] - _chip.Started[0].At >= TimeSpan.FromMilliseconds(360));

        await Read();
        Assert.Equal([(byte)0x01, (byte)0x20], _chip.Opcodes[4..]); // not sent again while it holds
    }

    [Theory]
    [InlineData(30)]
    [InlineData(255)]
    public void The_measurement_time_register_accepts_31_to_254_only(int value)
        => Assert.Throws<ArgumentOutOfRangeException>(() => _bh.MeasurementTime = (byte)value);

    [Fact]
    public async Task High_resolution_mode_2_sends_0x21_and_halves_the_lux()
    {
        _bh.Resolution = Bh1750Resolution.High2;
        var lux = await Read();
        Assert.Equal(0x21, _chip.Started[0].Mode);
        Assert.Equal(0x8390 / 1.2 / 2, lux, 6);
    }

    [Fact]
    public async Task Low_resolution_mode_sends_0x23_and_waits_24_ms()
    {
        _bh.Resolution = Bh1750Resolution.Low;
        await Read();
        Assert.Equal(0x23, _chip.Started[0].Mode);
        Assert.True(_chip.ResultReads[0] - _chip.Started[0].At >= TimeSpan.FromMilliseconds(24));
    }

    [Fact]
    public async Task After_a_failure_the_measurement_time_register_is_sent_again_as_the_chip_may_have_lost_it()
    {
        _bh.MeasurementTime = 100;
        await Read();
        _chip.Fault = new BusNackException("no acknowledge from i2c-1@0x23", "i2c-1@0x23");
        var ex = await Assert.ThrowsAsync<BusNackException>(Read);
        Assert.Equal("no acknowledge from i2c-1@0x23; BH1750 at i2c-1@0x23 was sending Power On (0x01)", ex.Message);

        _chip.PowerCycle();
        _chip.Fault = null;
        var lux = await Read();

        Assert.Equal(100, _chip.MeasurementTime);
        Assert.Equal(0x8390 / 1.2 * 69 / 100, lux, 6);
    }

    [Fact]
    public void Disposing_the_binding_disposes_its_device()
    {
        _bh.Dispose();
        Assert.True(_chip.Disposed);
    }
}
