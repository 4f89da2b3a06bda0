using Gateway.FirmwareSim.Chips;
using Gateway.Hardware;

namespace Gateway.FirmwareSim.Tests.Chips;

/// <summary>The simulated BH1750FVI at instruction level (ROHM datasheet): the counts a driver must turn into lux.</summary>
public sealed class Bh1750ModelTests
{
    private readonly ChipHarness _h = new("light", "bh1750");
    private readonly Bh1750Model _chip;

    public Bh1750ModelTests() => _chip = new Bh1750Model("light", "i2c-1@0x23", _h.Time, _h.Environment, _h.Faults);

    private int Count()
    {
        var data = new byte[2];
        _chip.Read(data);
        return (data[0] << 8) | data[1];
    }

    private double Measure(byte instruction, TimeSpan wait)
    {
        _chip.Write([0x01]); // power on
        _chip.Write([instruction]);
        var at = _h.Time.GetUtcNow();
        _h.Time.Advance(wait);
        return _h.Environment.Light(at + TimeSpan.FromMilliseconds(120)); // the typical time at the default MTreg
    }

    [Fact]
    public void H_resolution_mode_counts_1_2_per_lux()
    {
        var lux = Measure(0x20, TimeSpan.FromMilliseconds(120));
        Assert.InRange(Count() - (lux * 1.2), -0.5, 0.5);
    }

    [Fact]
    public void H_resolution_mode_2_counts_twice_as_many_for_half_a_lux_resolution()
    {
        var lux = Measure(0x21, TimeSpan.FromMilliseconds(120));
        Assert.InRange(Count() - (lux * 2.4), -0.5, 0.5);
    }

    [Fact]
    public void Until_the_measurement_ends_the_data_register_keeps_its_previous_value()
    {
        Measure(0x20, TimeSpan.FromMilliseconds(120));
        var first = Count();
        _h.Time.Advance(TimeSpan.FromMinutes(20)); // daylight has changed

        _chip.Write([0x01]);
        _chip.Write([0x20]);
        _h.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(first, Count());

        _h.Time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.NotEqual(first, Count());
    }

    [Fact]
    public void A_doubled_MTreg_doubles_the_count_and_the_measurement_time()
    {
        // MTreg = 138 = 0b100_01010: high bits with 0b01000_100, low bits with 0b011_01010.
        _chip.Write([0x44]);
        _chip.Write([0x6A]);
        _chip.Write([0x01]);
        _chip.Write([0x20]);
        var at = _h.Time.GetUtcNow();
        _h.Time.Advance(TimeSpan.FromMilliseconds(230));
        Assert.Equal(0, Count()); // 240 ms at MTreg 138: still the power-on value

        _h.Time.Advance(TimeSpan.FromMilliseconds(10));
        Assert.InRange(Count() - (_h.Environment.Light(at + TimeSpan.FromMilliseconds(240)) * 2.4), -0.5, 0.5);
    }

    [Fact]
    public void Powered_down_it_ignores_a_measurement_instruction()
    {
        _chip.Write([0x20]);
        _h.Time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, Count());
    }

    [Fact]
    public void Under_the_stuck_fault_reads_are_not_acknowledged()
    {
        _h.Faults.Inject("stuck light");
        Assert.Throws<BusNackException>(() => Count());
    }
}
