using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware;
using Gateway.Hardware.Devices.Bme280;
using Gateway.Hardware.Devices.Sht3x;

namespace Gateway.FirmwareSim.Tests;

public class ScenarioTests
{
    private static async Task<List<double>> Run(Scenario scenario)
    {
        var time = SimClock.At();
        using var board = new SimulatedBoard(scenario, time);
        using var bme = new Bme280(board.OpenI2cBus(1).CreateDevice(0x76), time);
        using var sht = new Sht3x(board.OpenI2cBus(1).CreateDevice(0x44), time);
        var values = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var b = await SimClock.Drive(time, () => bme.ReadAsync(CancellationToken.None));
            var s = await SimClock.Drive(time, () => sht.ReadAsync(CancellationToken.None));
            values.AddRange([b.TemperatureCelsius, b.PressurePascal, b.HumidityPercent, s.TemperatureCelsius, s.HumidityPercent]);
            time.Advance(TimeSpan.FromSeconds(5));
        }

        return values;
    }

    [Fact]
    public async Task The_same_seed_and_clock_give_identical_readings()
    {
        var first = await Run(ScenarioLoader.Default());
        var second = await Run(ScenarioLoader.Default());

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Another_seed_gives_other_readings()
    {
        var first = await Run(ScenarioLoader.Default());
        var other = await Run(ScenarioLoader.Default() with { Seed = 7 });

        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Timed_faults_in_the_scenario_start_and_end_at_their_times()
    {
        var scenario = ScenarioLoader.Default() with { Faults = [new TimedFault { At = TimeSpan.FromSeconds(10), Duration = TimeSpan.FromSeconds(5), Fault = "nack env" }] };
        var time = SimClock.At();
        using var board = new SimulatedBoard(scenario, time);
        using var bme = new Bme280(board.OpenI2cBus(1).CreateDevice(0x76), time);

        await SimClock.Drive(time, () => bme.ReadAsync(CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<BusNackException>(() => SimClock.Drive(time, () => bme.ReadAsync(CancellationToken.None)));
        time.Advance(TimeSpan.FromSeconds(5));
        await SimClock.Drive(time, () => bme.ReadAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("""{ "Devices": [ { "Name": "x", "Type": "Toaster" } ] }""", "$.Devices[0].Type: 'Toaster' is not one of")]
    [InlineData("""{ "Devices": [ { "Name": "x", "Type": "Bme280", "Address": "0x99" } ] }""", "$.Devices[0].Address: '0x99' is not a 7-bit I2C address")]
    [InlineData("""{ "Devices": [ { "Name": "a", "Type": "Output", "Pin": 1 }, { "Name": "a", "Type": "Output", "Pin": 2 } ] }""", "$.Devices[1].Name: 'a' must be a unique")]
    [InlineData("""{ "Faults": [ { "At": "00:00:01", "Fault": "explode env" } ] }""", "$.Faults[0].Fault: unknown fault kind 'explode'")]
    [InlineData("""{ "Seed": "many" }""", "my.json: $.Seed")]
    [InlineData("""{ "Devices": [ """, "my.json: ")]
    public void A_bad_scenario_is_refused_naming_where_and_why(string json, string message)
    {
        var ex = Assert.Throws<FormatException>(() => ScenarioLoader.Parse(json, "my.json"));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_w1_slave_file_has_the_kernels_format_and_a_valid_dallas_crc()
    {
        var pad = SimulatedOneWireBus.Scratchpad(23.125);
        var text = SimulatedOneWireBus.W1Slave(pad, crcOk: true);

        Assert.Equal(0, SimulatedOneWireBus.Crc8(pad)); // a scratchpad including its CRC checks to zero
        Assert.Equal(23.125, Gateway.Hardware.Devices.Ds18b20.Ds18b20.ParseW1Slave(text, "28-x"));
        Assert.Matches(@"^([0-9a-f]{2} ){9}: crc=[0-9a-f]{2} YES\n([0-9a-f]{2} ){9}t=23125\n$", text);
    }
}
