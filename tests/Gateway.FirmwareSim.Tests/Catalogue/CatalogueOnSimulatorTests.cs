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
}
