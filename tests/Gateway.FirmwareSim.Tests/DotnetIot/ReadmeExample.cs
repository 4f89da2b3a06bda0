// README example begins
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Iot.Device.Sht3x;

namespace MyBindings.Tests;

public class MySht3xTests
{
    [Fact]
    public void The_sensor_reads_the_simulated_room()
    {
        // The simulated board: chips at their usual addresses, driven by a scenario (firmware-sim/…/Scenarios/default.json).
        using var board = new SimulatedBoard(ScenarioLoader.Default(), TimeProvider.System);

        // Any dotnet/iot binding takes the board's System.Device.I2c device, as it would /dev/i2c-1's.
        using var sensor = new Sht3x(board.OpenI2cBus(1).CreateDevice(0x44), Resolution.High);
        var celsius = sensor.Temperature.DegreesCelsius;

        // The scenario says what the room is at; the chip model converts it as the datasheet says.
        var room = board.Environment.Temperature(DateTimeOffset.UtcNow);
        Assert.InRange(celsius, room - 0.5, room + 0.5);
    }
}
// README example ends
