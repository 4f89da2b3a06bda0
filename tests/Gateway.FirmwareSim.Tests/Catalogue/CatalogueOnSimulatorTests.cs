using Gateway.FirmwareSim.Faults;
using Gateway.Hardware;
using Gateway.Hardware.Catalogue;
using Gateway.Hardware.Sensors;

namespace Gateway.FirmwareSim.Tests.Catalogue;

/// <summary>
/// Each catalogue sensor (Iot.Device.Bindings 4.2.0 behind <see cref="CatalogueBindings"/>) read from an independent
/// register model of its chip on the simulated board, compared with the environment the model measured.
/// </summary>
public sealed class CatalogueOnSimulatorTests
{
    [Fact]
    public async Task Mcp9808_reports_the_ambient_temperature_in_Cel_to_its_resolution()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Mcp9808(bus, 1, 0x18);

        // The model converts every 250 ms at +0.0625 °C (table 1-1): wait for the first conversion to finish.
        await Task.Delay(300, TestContext.Current.CancellationToken);
        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        Assert.Equal("MCP9808 at i2c-1@0x18", sensor.Description);
        var t = CatalogueBoard.Value(values, "temperature", Units.Celsius);
        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, t, 0.0625);
    }

    [Fact]
    public async Task Mcp9808_read_as_soon_as_the_chip_powers_up_waits_for_its_first_conversion_instead_of_reporting_0_Cel()
    {
        // T_A is 0x0000 until the first conversion ends, t_CONV = 250 ms at +0.0625 °C (DS25095A table 1-1, register
        // 5-4's power-on value); upstream reads it at once. The board powers its chips up when it is made, as a real
        // board does at boot, and the gateway reads every sensor as soon as it starts (and again after re-opening a
        // binding whose chip lost power): the first value must be a conversion, not the power-on zero.
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Mcp9808(bus, 1, 0x18);

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, CatalogueBoard.Value(values, "temperature", Units.Celsius), 0.0625);
    }

    [Fact]
    public async Task Lm75_read_as_soon_as_the_chip_powers_up_waits_for_its_first_conversion_instead_of_reporting_0_Cel()
    {
        // Temp holds no conversion until the first one ends, 100 ms after power-up (LM75A §7.3).
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Lm75(bus, 1, 0x48);

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, CatalogueBoard.Value(values, "temperature", Units.Celsius), 0.125 + 0.05);
    }

    [Fact]
    public async Task Sht4x_reports_temperature_in_Cel_and_humidity_in_percent_RH()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Sht4x(bus, 1, 0x44);

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, CatalogueBoard.Value(values, "temperature", Units.Celsius), 0.01);
        CatalogueBoard.AssertWithin(board.Environment.Humidity, from, to, CatalogueBoard.Value(values, "humidity", Units.RelativeHumidity), 0.01);
    }

    [Fact]
    public async Task Lm75_reports_the_temperature_in_Cel_to_its_eighth_of_a_degree_rounded_to_a_tenth_by_upstream()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Lm75(bus, 1, 0x48);
        await Task.Delay(150, TestContext.Current.CancellationToken); // the first conversion ends after 100 ms (§7.3)

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        // The register holds floor(T·8)/8; upstream rounds that to 0.1 °C.
        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, CatalogueBoard.Value(values, "temperature", Units.Celsius), 0.125 + 0.05);
    }

    [Theory]
    [InlineData(1, "AHT20")]
    [InlineData(2, "AHT10")]
    public async Task Aht20_and_Aht10_calibrate_then_report_temperature_in_Cel_and_humidity_in_percent_RH(int busId, string chip)
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(busId);
        using var sensor = busId == 1 ? CatalogueBindings.Aht20(bus, busId, 0x38) : CatalogueBindings.Aht10(bus, busId, 0x38);

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        Assert.StartsWith(chip, sensor.Description, StringComparison.Ordinal);
        // 20-bit signals: 200/2^20 °C and 100/2^20 % per count.
        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, CatalogueBoard.Value(values, "temperature", Units.Celsius), 0.0002);
        CatalogueBoard.AssertWithin(board.Environment.Humidity, from, to, CatalogueBoard.Value(values, "humidity", Units.RelativeHumidity), 0.0001);
    }

    [Fact]
    public async Task Max44009_reports_illuminance_in_lx_to_the_resolution_of_its_exponent()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(SimClock.Noon);
        using var board = CatalogueBoard.Create(time);
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Max44009(bus, 1, 0x4A);
        time.Advance(TimeSpan.FromMilliseconds(800)); // the first 800 ms measurement of the default mode

        var values = await sensor.ReadAsync(TestContext.Current.CancellationToken);

        // At noon the scenario's light is its maximum, 12,000 lx: 266,666 counts of 0.045 lx fit 8 bits at exponent 11.
        var lux = board.Environment.Light(time.GetUtcNow());
        var step = 0.045 * (1 << 11);
        Assert.InRange(lux, 11_000, 13_000);
        Assert.InRange(CatalogueBoard.Value(values, "illuminance", Units.Lux), lux - step - 0.001, lux + 0.001);
    }

    [Fact]
    public async Task Max44009_read_as_soon_as_the_chip_powers_up_waits_for_its_first_measurement_instead_of_reporting_0_lx()
    {
        // The lux registers read 0x00 until the first 800 ms measurement of the default mode ends (0 lx looks like night).
        using var board = CatalogueBoard.Create(new ShiftedClock(SimClock.Noon));
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Max44009(bus, 1, 0x4A);

        var values = await sensor.ReadAsync(TestContext.Current.CancellationToken);

        Assert.InRange(CatalogueBoard.Value(values, "illuminance", Units.Lux), 10_000, 13_000);
    }

    /// <summary>The system clock moved to noon (the light model needs daylight); time passes as it does.</summary>
    private sealed class ShiftedClock(DateTimeOffset start) : TimeProvider
    {
        private readonly TimeSpan _offset = start - System.GetUtcNow();

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
    }

    [Fact]
    public async Task Mlx90614_reports_the_object_as_temperature_and_its_die_as_ambient_temperature_in_Cel()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Mlx90614(bus, 1, 0x5A);

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        // 0.02 K counts, rounded by upstream to 0.01 °C; the scenario's surface is the air + 11.5 °C.
        CatalogueBoard.AssertWithin(at => board.Environment.Temperature(at) + 11.5, from, to, CatalogueBoard.Value(values, "temperature", Units.Celsius), 0.016);
        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, CatalogueBoard.Value(values, "ambient_temperature", Units.Celsius), 0.016);
    }

    [Fact]
    public async Task Bmp280_reports_temperature_in_Cel_and_pressure_in_Pa_from_one_forced_conversion()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Bmp280(bus, 1, 0x77);

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        // The model's raw values compensate back to 0.01 °C and 1/256 Pa; upstream's double formulas differ by a little more.
        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, CatalogueBoard.Value(values, "temperature", Units.Celsius), 0.02);
        CatalogueBoard.AssertWithin(board.Environment.Pressure, from, to, CatalogueBoard.Value(values, "pressure", Units.Pascal), 2.0);
    }

    [Fact]
    public async Task Si7021_reports_temperature_rounded_to_a_tenth_by_upstream_and_humidity_to_its_12_bits()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Si7021(bus, 1, 0x40);

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        // Upstream's default resolution is RH 12 / T 14 bits (125/4096 % and 0.011 °C per step); it rounds T to 0.1 °C.
        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, CatalogueBoard.Value(values, "temperature", Units.Celsius), 0.05 + 0.011);
        CatalogueBoard.AssertWithin(board.Environment.Humidity, from, to, CatalogueBoard.Value(values, "humidity", Units.RelativeHumidity), 0.031);
    }

    [Fact]
    public async Task Shtc3_reports_temperature_in_Cel_and_humidity_in_percent_RH()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Shtc3(bus, 1, 0x70);

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        CatalogueBoard.AssertWithin(board.Environment.Temperature, from, to, CatalogueBoard.Value(values, "temperature", Units.Celsius), 0.051);
        CatalogueBoard.AssertWithin(board.Environment.Humidity, from, to, CatalogueBoard.Value(values, "humidity", Units.RelativeHumidity), 0.051);
    }

    [Fact]
    public async Task A_NACK_from_the_chip_reaches_the_sampler_as_a_BusNackException_naming_the_sensor_and_the_next_read_recovers()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Sht4x(bus, 1, 0x44);
        await sensor.ReadAsync(TestContext.Current.CancellationToken);

        board.Faults.Add(FaultSpec.Parse("nack sht4"), board.Time.GetUtcNow());
        var ex = await Assert.ThrowsAsync<BusNackException>(async () => await sensor.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Contains("SHT4x at i2c-1@0x44", ex.Message, StringComparison.Ordinal);
        Assert.Equal("i2c-1@0x44", ex.Device);

        board.Faults.Clear("sht4");
        var values = await sensor.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, values.Count);
    }

    [Fact]
    public async Task A_CRC_error_is_a_ChecksumException_not_the_previous_value_the_upstream_binding_keeps()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Sht4x(bus, 1, 0x44);
        await sensor.ReadAsync(TestContext.Current.CancellationToken);

        board.Faults.Add(FaultSpec.Parse("badcrc sht4"), board.Time.GetUtcNow());

        await Assert.ThrowsAsync<ChecksumException>(async () => await sensor.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_chip_that_is_not_there_fails_the_read_with_a_hardware_error_not_a_crash()
    {
        using var board = CatalogueBoard.Create();
        using var bus = board.OpenI2cBus(1);
        using var sensor = CatalogueBindings.Mcp9808(bus, 1, 0x1F);

        var ex = await Assert.ThrowsAsync<BusNackException>(async () => await sensor.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Contains("i2c-1@0x1F", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_simulated_boards_CPU_temperature_is_its_own_source_in_Cel()
    {
        using var board = CatalogueBoard.Create();
        using var sensor = CpuTemperatureSensors.Create(board);

        var (values, from, to) = await CatalogueBoard.ReadAsync(sensor);

        var t = CatalogueBoard.Value(values, "temperature", Units.Celsius);
        CatalogueBoard.AssertWithin(at => board.Environment.Temperature(at) + Gateway.FirmwareSim.Board.SimulatedBoard.CpuAboveAmbient, from, to, t, 0.001);
    }

    [Fact]
    public async Task On_a_Linux_board_the_CPU_temperature_is_thermal_zone_0s_millidegrees_in_Cel()
    {
        var dir = Directory.CreateTempSubdirectory("gw-thermal-");
        try
        {
            var zone = Path.Combine(dir.FullName, "temp");
            await File.WriteAllTextAsync(zone, "48312\n", TestContext.Current.CancellationToken);
            using var board = new NotSimulatedBoard();
            using var sensor = CpuTemperatureSensors.Create(board, zone);

            var values = await sensor.ReadAsync(TestContext.Current.CancellationToken);

            Assert.Equal(new Measurement("temperature", 48.312, Units.Celsius), Assert.Single(values));
            await File.WriteAllTextAsync(zone, "n/a\n", TestContext.Current.CancellationToken);
            await Assert.ThrowsAsync<ImplausibleReadingException>(async () => await sensor.ReadAsync(TestContext.Current.CancellationToken));
            File.Delete(zone);
            await Assert.ThrowsAsync<DeviceNotFoundException>(async () => await sensor.ReadAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // A board without its own CPU temperature source, as the Linux board is; it has no buses this test uses.
    private sealed class NotSimulatedBoard : IHardwareBoard
    {
        public string Description => "test board";

        public Gateway.Hardware.OneWire.IOneWireBus OneWire => throw new NotSupportedException();

        public Gateway.Hardware.Gpio.GpioChipController OpenGpioChip(int chip) => throw new NotSupportedException();

        public System.Device.I2c.I2cBus OpenI2cBus(int busId) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
