using System.Device.I2c;
using Gateway.Hardware.I2c;
using Gateway.Hardware.Sensors;
using Iot.Device.Ahtxx;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;
using Iot.Device.Lm75;
using Iot.Device.Max44009;
using Iot.Device.Mcp9808;
using Iot.Device.Mlx90614;
using Iot.Device.Sht4x;
using Iot.Device.Shtc3;
using Iot.Device.Si7021;
using UnitsNet;

namespace Gateway.Hardware.Catalogue;

/// <summary>
/// The Iot.Device.Bindings 4.2.0 bindings the gateway offers for chips it has no binding of its own for, each as an
/// <see cref="ISensor"/> (<see cref="CatalogueSensor{TBinding}"/>) reporting SenML units (<see cref="SenmlUnits"/>).
/// Each method names what the upstream binding does per read; a value an upstream binding marks as missing (a CRC
/// failure reported as null, a "no conversion" NaN) is an error here, never a reading.
/// </summary>
public static class CatalogueBindings
{
    // Every method: bus is the opened I2C bus busId (the board's), address the chip's 7-bit address (checked here
    // against the reserved ranges; the configuration reader checks it against the chip's datasheet options).

    /// <summary>Microchip MCP9808 temperature sensor (0x18–0x1F): T_A, 0.0625 °C steps.</summary>
    public static ISensor Mcp9808(I2cBus bus, int busId, int address) => Create(bus, busId, address, "MCP9808",
        d => AfterFirstConversion(new Mcp9808(d), Mcp9808FirstConversion),
        b => [Finite(SenmlUnits.Of("temperature", b.Temperature), "T_A read 0xFFFF: no conversion ready")]);

    /// <summary>Sensirion SHT4x temperature and humidity sensor (0x44–0x46): one high-repeatability measurement per read.</summary>
    public static ISensor Sht4x(I2cBus bus, int busId, int address) => Create(bus, busId, address, "SHT4x",
        d => new Sht4x(d),
        b =>
        {
            var (humidity, temperature) = b.ReadHumidityAndTemperature(Sht4xRepeatability.High);

            // Upstream reports a word whose CRC does not match as null (and keeps its previous value in the properties).
            if (humidity is not { } h || temperature is not { } t)
            {
                throw new ChecksumException("CRC mismatch in the measurement (the binding returned null)");
            }

            return [SenmlUnits.Of("temperature", t), SenmlUnits.Of("humidity", h)];
        });

    /// <summary>NXP/TI LM75 temperature sensor (0x48–0x4F): upstream rounds to 0.1 °C.</summary>
    public static ISensor Lm75(I2cBus bus, int busId, int address) => Create(bus, busId, address, "LM75",
        d => AfterFirstConversion(new Lm75(d), Lm75FirstConversion),
        b => [SenmlUnits.Of("temperature", b.Temperature)]);

    /// <summary>Aosong AHT20 temperature and humidity sensor (0x38): upstream triggers one measurement per quantity.</summary>
    public static ISensor Aht20(I2cBus bus, int busId, int address) => Create(bus, busId, address, "AHT20",
        d => new Aht20(d),
        b => [SenmlUnits.Of("temperature", b.GetTemperature()), SenmlUnits.Of("humidity", b.GetHumidity())]);

    /// <summary>Aosong AHT10 temperature and humidity sensor (0x38/0x39): as the AHT20, with the AHT10's calibration command.</summary>
    public static ISensor Aht10(I2cBus bus, int busId, int address) => Create(bus, busId, address, "AHT10",
        d => new Aht10(d),
        b => [SenmlUnits.Of("temperature", b.GetTemperature()), SenmlUnits.Of("humidity", b.GetHumidity())]);

    /// <summary>Bosch BMP280 temperature and pressure sensor (0x76/0x77): one forced-mode conversion per read.</summary>
    public static ISensor Bmp280(I2cBus bus, int busId, int address) => Create(bus, busId, address, "BMP280",
        d => new Bmp280(d),
        b =>
        {
            b.SetPowerMode(Bmx280PowerMode.Forced);
            var result = b.Read();
            if (result.Temperature is not { } t || result.Pressure is not { } p)
            {
                throw new ImplausibleReadingException("the binding returned no temperature or pressure (measurement skipped)");
            }

            return [SenmlUnits.Of("temperature", t), SenmlUnits.Of("pressure", p)];
        });

    /// <summary>Maxim MAX44009 ambient light sensor (0x4A/0x4B): lux from the exponent and mantissa, upstream rounds to 0.001 lx.</summary>
    public static ISensor Max44009(I2cBus bus, int busId, int address) => Create(bus, busId, address, "MAX44009",
        d => AfterFirstConversion(new Max44009(d), Max44009FirstConversion),
        b => [SenmlUnits.Of("illuminance", Illuminance.FromLux(b.Illuminance))]);

    /// <summary>Melexis MLX90614 infrared thermometer (0x5A by default; SMBus address set in its EEPROM): object and die temperature.</summary>
    public static ISensor Mlx90614(I2cBus bus, int busId, int address) => Create(bus, busId, address, "MLX90614",
        d => new Mlx90614(d),
        b => [SenmlUnits.Of("temperature", b.ReadObjectTemperature()), SenmlUnits.Of("ambient_temperature", b.ReadAmbientTemperature())]);

    /// <summary>Silicon Labs Si7021 temperature and humidity sensor (0x40): upstream rounds temperature to 0.1 °C.</summary>
    public static ISensor Si7021(I2cBus bus, int busId, int address) => Create(bus, busId, address, "Si7021",
        d => new Si7021(d),
        b => [SenmlUnits.Of("temperature", b.Temperature), SenmlUnits.Of("humidity", b.Humidity)]);

    /// <summary>Sensirion SHTC3 temperature and humidity sensor (0x70): normal-power measurement without clock stretching; upstream rounds temperature to 0.1 °C.</summary>
    public static ISensor Shtc3(I2cBus bus, int busId, int address) => Create(bus, busId, address, "SHTC3",
        d => new Shtc3(d),
        b => b.TryGetTemperatureAndHumidity(out var t, out var h)
            ? [SenmlUnits.Of("temperature", t), SenmlUnits.Of("humidity", h)]
            : throw new ChecksumException("the binding reported a failed measurement (CRC mismatch)"));

    // Chips that convert on their own hold their power-on value (0x0000: 0 °C) until the first conversion ends, and
    // upstream's bindings read at once: the first read after opening a binding (at start, and again after a failure,
    // when the chip may just have come back) would be a plausible-looking 0 °C. MCP9808: t_CONV 250 ms typical at the
    // +0.0625 °C resolution (DS25095A table 1-1), T_A 0x0000 at power-on (register 5-4). LM75A: a conversion every
    // 100 ms (§7.3). MAX44009: a measurement every 800 ms in the default mode, lux registers 0x00 at power-on (0 lx,
    // which looks like night). Each with a fifth more for the typical figure. Opening runs on the pool, as every upstream
    // read does.
    private static readonly TimeSpan Mcp9808FirstConversion = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Max44009FirstConversion = TimeSpan.FromMilliseconds(960);
    private static readonly TimeSpan Lm75FirstConversion = TimeSpan.FromMilliseconds(120);

    private static TBinding AfterFirstConversion<TBinding>(TBinding binding, TimeSpan conversion)
    {
        Thread.Sleep(conversion);
        return binding;
    }

    private static CatalogueSensor<TBinding> Create<TBinding>(I2cBus bus, int busId, int address, string chip, Func<I2cDevice, TBinding> binding, Func<TBinding, IReadOnlyList<Measurement>> read)
        where TBinding : class, IDisposable
    {
        ArgumentNullException.ThrowIfNull(bus);
        var location = I2cAddresses.Describe(I2cAddresses.Settings(busId, address));
        return new CatalogueSensor<TBinding>($"{chip} at {location}", location, () =>
        {
            var device = bus.CreateDevice(address);
            try
            {
                return binding(device);
            }
            catch
            {
                device.Dispose();
                throw;
            }
        }, read);
    }

    private static Measurement Finite(Measurement m, string why) =>
        double.IsFinite(m.Value) ? m : throw new ImplausibleReadingException($"{m.Quantity}: {why}");
}
