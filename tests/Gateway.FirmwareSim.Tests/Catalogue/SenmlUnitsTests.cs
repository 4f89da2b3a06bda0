using Gateway.Hardware.Catalogue;
using Gateway.Hardware.Sensors;
using UnitsNet;

namespace Gateway.FirmwareSim.Tests.Catalogue;

/// <summary>UnitsNet quantities become SenML units (RFC 8428 §12.1) whatever unit the binding built them in.</summary>
public sealed class SenmlUnitsTests
{
    [Fact]
    public void A_temperature_in_Fahrenheit_or_Kelvin_is_reported_in_Cel()
    {
        Assert.Equal(("Cel", 100.0), Pair(SenmlUnits.Of("temperature", Temperature.FromDegreesFahrenheit(212))));
        Assert.Equal(("Cel", -273.15), Pair(SenmlUnits.Of("temperature", Temperature.FromKelvins(0))));
    }

    [Fact]
    public void A_pressure_in_hectopascals_is_reported_in_Pa()
    {
        var m = SenmlUnits.Of("pressure", Pressure.FromHectopascals(1013.25));
        Assert.Equal("Pa", m.Unit);
        Assert.Equal(101_325, m.Value, 6);
    }

    [Fact]
    public void Relative_humidity_is_percent_RH()
    {
        Assert.Equal(new Measurement("humidity", 45.5, "%RH"), SenmlUnits.Of("humidity", RelativeHumidity.FromPercent(45.5)));
    }

    [Fact]
    public void Illuminance_in_kilolux_is_reported_in_lx()
    {
        var m = SenmlUnits.Of("illuminance", Illuminance.FromKilolux(1.5));
        Assert.Equal(("lx", 1500.0), (m.Unit, Math.Round(m.Value, 9)));
    }

    [Fact]
    public void A_CO2_concentration_is_reported_in_ppm()
    {
        var m = SenmlUnits.Of("co2", VolumeConcentration.FromPercent(0.042));
        Assert.Equal(("ppm", 420.0), (m.Unit, Math.Round(m.Value, 9)));
    }

    [Fact]
    public void Electrical_quantities_are_reported_in_V_A_W_and_Ohm()
    {
        Assert.Equal(("V", 3.3), Pair(SenmlUnits.Of("voltage", ElectricPotential.FromMillivolts(3300))));
        Assert.Equal(("A", 0.25), Pair(SenmlUnits.Of("current", ElectricCurrent.FromMilliamperes(250))));
        Assert.Equal(("W", 1500.0), Pair(SenmlUnits.Of("power", Power.FromKilowatts(1.5m))));
        Assert.Equal(("Ohm", 47_000.0), Pair(SenmlUnits.Of("gas_resistance", ElectricResistance.FromKiloohms(47))));
    }

    [Fact]
    public void A_length_such_as_an_altitude_is_reported_in_m()
    {
        Assert.Equal(("m", 1200.0), Pair(SenmlUnits.Of("altitude", Length.FromKilometers(1.2))));
    }

    private static (string, double) Pair(Measurement m) => (m.Unit, Math.Round(m.Value, 9));
}
