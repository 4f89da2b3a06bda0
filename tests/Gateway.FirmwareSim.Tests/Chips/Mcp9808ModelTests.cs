using Gateway.FirmwareSim.Chips;

namespace Gateway.FirmwareSim.Tests.Chips;

/// <summary>The simulated MCP9808 at register level (Microchip DS25095A / DS20005095, §5).</summary>
public sealed class Mcp9808ModelTests
{
    private readonly ChipHarness _h = new("air", "mcp9808");
    private readonly Mcp9808Model _chip;

    public Mcp9808ModelTests() => _chip = new Mcp9808Model("air", "i2c-1@0x18", _h.Time, _h.Environment, _h.Faults);

    private ushort Read16(byte register)
    {
        _chip.Write([register]);
        var data = new byte[2];
        _chip.Read(data);
        return (ushort)((data[0] << 8) | data[1]); // MSB first (§4.1)
    }

    private void Write16(byte register, ushort value) => _chip.Write([register, (byte)(value >> 8), (byte)value]);

    [Fact]
    public void The_manufacturer_id_is_0x0054_and_the_device_id_and_revision_0x0400()
    {
        Assert.Equal(0x0054, Read16(0x06));
        Assert.Equal(0x0400, Read16(0x07));
    }

    [Theory]
    [InlineData(25.0625, 0x0191)] // 401/16
    [InlineData(0.0, 0x0000)]
    [InlineData(-0.0625, 0x1FFF)] // 13-bit two's complement, SIGN (bit 12) set
    [InlineData(-25.0, 0x1E70)] // 8192 − 400
    [InlineData(125.0, 0x07D0)]
    public void Temperatures_are_13_bit_twos_complement_in_sixteenths_of_a_degree(double celsius, int bits)
    {
        Assert.Equal(bits, Mcp9808Model.TemperatureBits(celsius, resolution: 3));
        Assert.Equal(celsius, Mcp9808Model.Celsius((ushort)bits));
    }

    [Theory]
    [InlineData(0, 25.5)] // +0.5 °C: bits 2–0 clear
    [InlineData(1, 25.75)]
    [InlineData(2, 25.875)]
    [InlineData(3, 25.9375)]
    public void A_coarser_resolution_clears_the_low_bits(int resolution, double expected) =>
        Assert.Equal(expected, Mcp9808Model.Celsius(Mcp9808Model.TemperatureBits(25.99, resolution)));

    [Fact]
    public void The_ambient_register_reads_zero_until_the_first_conversion_then_the_environment_every_250_ms()
    {
        Assert.Equal(0, Read16(0x05)); // power-on value, before t_CONV (250 ms at the default +0.0625 °C)
        var start = _h.Time.GetUtcNow();

        _h.Time.Advance(TimeSpan.FromMilliseconds(260));
        Assert.InRange(Mcp9808Model.Celsius(Read16(0x05)) - _h.Environment.Temperature(start.AddMilliseconds(250)), -0.0625, 0);

        _h.Time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(Mcp9808Model.TemperatureBits(_h.Environment.Temperature(start.AddMilliseconds(500)), 3), Read16(0x05) & 0x1FFF);
    }

    [Fact]
    public void The_resolution_register_is_one_byte_and_defaults_to_a_sixteenth_of_a_degree()
    {
        _chip.Write([0x08]);
        var data = new byte[1];
        _chip.Read(data);
        Assert.Equal(0x03, data[0]);

        _chip.Write([0x08, 0x00]);
        _h.Time.Advance(TimeSpan.FromMilliseconds(40)); // t_CONV at +0.5 °C is 30 ms
        Assert.Equal(0, Read16(0x05) & 0x0007);
        Assert.NotEqual(0, Read16(0x05));
    }

    [Fact]
    public void The_alert_flags_compare_the_ambient_temperature_with_the_limits_at_each_conversion()
    {
        const double Ta = 21; // the default scenario at noon: 21 °C ± a few tenths
        Write16(0x02, Mcp9808Model.TemperatureBits(Ta - 5, 3)); // T_UPPER below T_A
        Write16(0x03, Mcp9808Model.TemperatureBits(Ta - 10, 3)); // T_LOWER below T_A
        Write16(0x04, Mcp9808Model.TemperatureBits(Ta + 50, 3)); // T_CRIT above T_A
        _h.Time.Advance(TimeSpan.FromMilliseconds(260));
        Assert.Equal(0x4000, Read16(0x05) & 0xE000);

        Write16(0x04, Mcp9808Model.TemperatureBits(Ta - 20, 3));
        Write16(0x02, Mcp9808Model.TemperatureBits(Ta + 5, 3));
        Write16(0x03, Mcp9808Model.TemperatureBits(Ta + 3, 3));
        Assert.Equal(0x4000, Read16(0x05) & 0xE000); // judged at the last conversion, not on the read

        _h.Time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(0xA000, Read16(0x05) & 0xE000); // ≥ T_CRIT and < T_LOWER
    }

    [Fact]
    public void The_limit_registers_keep_quarter_degrees_only()
    {
        Write16(0x02, 0x0193); // 25.1875 °C written
        Assert.Equal(0x0190, Read16(0x02)); // bits 1–0 read 0: 25.0 °C
    }

    [Fact]
    public void In_shutdown_the_ambient_register_keeps_its_last_value_and_converts_again_t_conv_after_waking()
    {
        _h.Time.Advance(TimeSpan.FromMilliseconds(260));
        var before = Read16(0x05);

        Write16(0x01, 0x0100); // SHDN
        _h.Time.Advance(TimeSpan.FromHours(3)); // the environment moves on
        Assert.Equal(before, Read16(0x05));

        Write16(0x01, 0x0000);
        _h.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(before, Read16(0x05)); // no conversion finished yet
        _h.Time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.NotEqual(before, Read16(0x05));
    }

    [Fact]
    public void A_locked_critical_limit_cannot_be_changed_and_the_lock_cannot_be_cleared()
    {
        Write16(0x04, 0x0500); // 80 °C
        Write16(0x01, 0x0080); // Crit. Lock
        Write16(0x04, 0x0100);
        Write16(0x01, 0x0000);

        Assert.Equal(0x0500, Read16(0x04));
        Assert.Equal(0x0080, Read16(0x01));
    }

    [Fact]
    public void Under_the_stuck_fault_the_ambient_register_stops_changing()
    {
        _h.Time.Advance(TimeSpan.FromMilliseconds(260));
        var before = Read16(0x05);

        _h.Faults.Inject("stuck air");
        _h.Time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(before, Read16(0x05));
    }
}
