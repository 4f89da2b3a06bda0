using Gateway.FirmwareSim.Chips;
using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware.Devices.Bme280;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.FirmwareSim.Tests.Chips;

/// <summary>The simulated BME280 at register level, as a driver sees it over I2C (datasheet BST-BME280-DS002 §5, §6.2).</summary>
public sealed class Bme280ModelTests
{
    private const byte CtrlHum = 0xF2;
    private const byte Status = 0xF3;
    private const byte CtrlMeas = 0xF4;
    private const byte PressMsb = 0xF7;
    private const byte ForcedX1 = 0b001_001_01; // osrs_t ×1, osrs_p ×1, forced mode (§5.4.5)

    private readonly FakeTimeProvider _time = SimClock.At();
    private readonly EnvironmentModel _environment;
    private readonly FaultController _faults;

    public Bme280ModelTests()
    {
        _environment = new EnvironmentModel(new Scenario(), _time.GetUtcNow());
        _faults = new FaultController(_time, name => name is "env" or "bme280");
    }

    private Bme280Model Chip(Bme280Trimming? trimming = null) =>
        new("env", "i2c-1@0x76", _time, _environment, _faults, trimming ?? Bme280Trimming.Typical);

    private static byte[] ReadRegisters(Bme280Model chip, byte first, int count)
    {
        chip.Write([first]);
        var data = new byte[count];
        chip.Read(data);
        return data;
    }

    private static void StartForced(Bme280Model chip)
    {
        chip.Write([CtrlHum, 0x01]); // osrs_h ×1, latched by the ctrl_meas write that follows (§5.4.3)
        chip.Write([CtrlMeas, ForcedX1]);
    }

    private static (int AdcP, int AdcT, int AdcH) Burst(Bme280Model chip)
    {
        var d = ReadRegisters(chip, PressMsb, 8);
        return ((d[0] << 12) | (d[1] << 4) | (d[2] >> 4), (d[3] << 12) | (d[4] << 4) | (d[5] >> 4), (d[6] << 8) | d[7]);
    }

    [Fact]
    public void The_id_register_reads_0x60()
    {
        Assert.Equal([0x60], ReadRegisters(Chip(), 0xD0, 1));
    }

    [Fact]
    public void The_data_registers_hold_their_reset_values_until_a_measurement()
    {
        Assert.Equal((0x80000, 0x80000, 0x8000), Burst(Chip()));
    }

    [Fact]
    public void A_soft_reset_sets_im_update_while_the_NVM_is_copied()
    {
        var chip = Chip();
        chip.Write([0xE0, 0xB6]);
        Assert.Equal(0x01, ReadRegisters(chip, Status, 1)[0] & 0x01);

        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(0, ReadRegisters(chip, Status, 1)[0] & 0x01);
    }

    [Fact]
    public void A_forced_measurement_sets_measuring_until_the_conversion_time_has_passed_then_sleeps()
    {
        var chip = Chip();
        StartForced(chip);
        Assert.Equal(0x08, ReadRegisters(chip, Status, 1)[0] & 0x08);

        _time.Advance(TimeSpan.FromMilliseconds(10)); // typical ×1/×1/×1: 1 + 2 + 2.5 + 2.5 = 8 ms (§9.1)
        Assert.Equal(0, ReadRegisters(chip, Status, 1)[0] & 0x08);
        Assert.Equal(0, ReadRegisters(chip, CtrlMeas, 1)[0] & 0x03); // back in sleep mode
    }

    [Theory]
    [MemberData(nameof(Bme280TrimmingCases.Names), MemberType = typeof(Bme280TrimmingCases))]
    public void The_data_registers_compensate_to_the_environment_by_the_datasheet_formulas(string trimming)
    {
        var chip = Chip(Bme280TrimmingCases.Named(trimming));
        var at = _time.GetUtcNow();
        StartForced(chip);
        _time.Advance(TimeSpan.FromMilliseconds(10));

        var (adcP, adcT, adcH) = Burst(chip);
        var t = chip.Trimming;
        var celsius = Bme280Formulas.TemperatureInt32(adcT, t, out var tFine) / 100.0;
        Assert.InRange(celsius - _environment.Temperature(at + TimeSpan.FromMilliseconds(8)), -0.006, 0.006);
        Assert.InRange((Bme280Formulas.PressureInt64(adcP, tFine, t) / 256.0) - _environment.Pressure(at + TimeSpan.FromMilliseconds(8)), -0.2, 0.2);
        Assert.InRange((Bme280Formulas.HumidityInt32(adcH, tFine, t) / 1024.0) - _environment.Humidity(at + TimeSpan.FromMilliseconds(8)), -0.01, 0.01);
    }

    [Theory]
    [MemberData(nameof(Bme280TrimmingCases.Names), MemberType = typeof(Bme280TrimmingCases))]
    public void The_gateway_bindings_own_parser_and_compensation_read_the_same_values_from_the_registers(string trimming)
    {
        // Two transcriptions of the datasheet, written apart: the binding's (Gateway.Hardware) and the simulator's. Where
        // they disagree, one of them is wrong. Here they meet on the raw registers, with dig_H4/dig_H5 negative too.
        var chip = Chip(Bme280TrimmingCases.Named(trimming));
        var at = _time.GetUtcNow() + TimeSpan.FromMilliseconds(8);
        StartForced(chip);
        _time.Advance(TimeSpan.FromMilliseconds(10));

        var calibration = Bme280Calibration.Parse(ReadRegisters(chip, 0x88, 26), ReadRegisters(chip, 0xE1, 7));
        Assert.Equal(chip.Trimming.DigH4, calibration.DigH4);
        Assert.Equal(chip.Trimming.DigH5, calibration.DigH5);
        var (adcP, adcT, adcH) = Burst(chip);
        var celsius = Bme280Compensation.CompensateTemperature(adcT, calibration, out var tFine) / 100.0;
        Assert.InRange(celsius - _environment.Temperature(at), -0.006, 0.006);
        Assert.InRange((Bme280Compensation.CompensatePressure(adcP, tFine, calibration) / 256.0) - _environment.Pressure(at), -0.2, 0.2);
        Assert.InRange((Bme280Compensation.CompensateHumidity(adcH, tFine, calibration) / 1024.0) - _environment.Humidity(at), -0.01, 0.01);
    }

    [Fact]
    public void Under_the_stuck_fault_measuring_stays_set_and_the_data_registers_keep_their_old_values()
    {
        var chip = Chip();
        StartForced(chip);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        var first = Burst(chip);

        _faults.Inject("stuck env");
        _time.Advance(TimeSpan.FromMinutes(30)); // the environment has moved on
        StartForced(chip);
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            Assert.Equal(0x08, ReadRegisters(chip, Status, 1)[0] & 0x08);
        }

        Assert.Equal(first, Burst(chip));

        _faults.Clear("env");
        Assert.Equal(0, ReadRegisters(chip, Status, 1)[0] & 0x08);
        Assert.NotEqual(first, Burst(chip));
    }
}
