using System.Device.Gpio;
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Remote;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;
using Microsoft.Extensions.Time.Testing;
using UpstreamSht3x = Iot.Device.Sht3x.Sht3x;
using UpstreamSht3xResolution = Iot.Device.Sht3x.Resolution;

namespace Gateway.FirmwareSim.Tests.DotnetIot;

/// <summary>
/// The simulator is a dotnet/iot board: System.Device.Gpio's stock <see cref="GpioController"/> and Iot.Device.Bindings
/// 4.2.0's own bindings run on it unchanged, in-process and through the firmware-sim protocol. The upstream bindings
/// wait with Thread.Sleep, so their board runs on the system clock; the GPIO checks use a controlled one.
/// </summary>
public sealed class DotnetIotOnSimulatorTests
{
    // Iot.Device.Sht3x 4.2.0 gives its values rounded to 0.1 (seen here: humidity 19.100000000000001).
    private const double Sht3xRounding = 0.051;

    [Fact]
    public void Upstream_Bme280_reads_temperature_and_pressure_of_the_simulated_chip()
    {
        using var board = new SimulatedBoard(ScenarioLoader.Default(), TimeProvider.System);
        using var bme = new Bme280(board.OpenI2cBus(1).CreateDevice(0x76));

        var from = TimeProvider.System.GetUtcNow();
        bme.SetPowerMode(Bmx280PowerMode.Forced);
        var result = bme.Read();
        var to = TimeProvider.System.GetUtcNow();

        Assert.NotNull(result.Temperature);
        Assert.NotNull(result.Pressure);
        AssertWithin(board.Environment.Temperature, from, to, result.Temperature.Value.DegreesCelsius, 0.02);
        AssertWithin(board.Environment.Pressure, from, to, result.Pressure.Value.Pascals, 2.0);
    }

    [Fact]
    public async Task Upstream_Sht3x_reads_the_simulated_chip_in_process_and_through_the_firmware_sim_protocol()
    {
        using var board = new SimulatedBoard(ScenarioLoader.Default(), TimeProvider.System);
        using var local = new UpstreamSht3x(board.OpenI2cBus(1).CreateDevice(0x44), UpstreamSht3xResolution.High);
        var from = TimeProvider.System.GetUtcNow();
        var localTemperature = local.Temperature.DegreesCelsius;
        AssertWithin(board.Environment.Temperature, from, TimeProvider.System.GetUtcNow(), localTemperature, Sht3xRounding);

        var dir = Directory.CreateTempSubdirectory("gw-dotnetiot-");
        try
        {
            var socket = Path.Combine(dir.FullName, "sim.sock");
            await using var server = new RemoteBoardServer(board, null, socket, "firmware-sim test");
            server.Start();
            {
                using var remote = new RemoteSimulatorBoard(socket, TimeSpan.FromSeconds(10));
                using var sht = new UpstreamSht3x(remote.OpenI2cBus(1).CreateDevice(0x44), UpstreamSht3xResolution.High);
                from = TimeProvider.System.GetUtcNow();
                var temperature = sht.Temperature.DegreesCelsius;
                var humidity = sht.Humidity.Percent;
                var to = TimeProvider.System.GetUtcNow();

                AssertWithin(board.Environment.Temperature, from, to, temperature, Sht3xRounding);
                AssertWithin(board.Environment.Humidity, from, to, humidity, Sht3xRounding);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_stock_GpioController_reads_the_door_contact_as_the_environment_drives_it()
    {
        var time = SimClock.At();
        using var board = new SimulatedBoard(ScenarioLoader.Default(), time);
        using var gpio = new GpioController(board.CreateGpioDriver(0));
        gpio.OpenPin(17, PinMode.InputPullUp);

        var wrong = 0;
        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(4.5)); // 90 s: the door opens at 75 s of every 90
            if (gpio.Read(17) != board.LineLevel(0, 17))
            {
                wrong++;
            }
        }

        Assert.Equal(0, wrong);
        Assert.Equal(PinValue.High, ReadAt(time, gpio, TimeSpan.FromSeconds(90 + 80))); // open
        Assert.Equal(PinValue.Low, ReadAt(time, gpio, TimeSpan.FromSeconds(90 + 90 + 10))); // closed again
    }

    [Fact]
    public void The_stock_GpioController_counts_the_flow_meters_rising_edges_with_kernel_style_timestamps()
    {
        var time = SimClock.At();
        using var board = new SimulatedBoard(ScenarioLoader.Default(), time);
        using var gpio = new GpioController(board.CreateGpioDriver(0));
        gpio.OpenPin(27, PinMode.InputPullDown);
        var edges = new List<PinValueChangedEventArgs>();
        gpio.RegisterCallbackForPinValueChangedEvent(27, PinEventTypes.Rising, (_, e) => edges.Add(e));

        for (var i = 0; i < 200; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10)); // 2 s of the 7.5 Hz pulse train
        }

        Assert.Equal(15, edges.Count);
        Assert.All(edges, e => Assert.Equal(PinEventTypes.Rising, e.ChangeType));
        var lines = edges.Select(e => Assert.IsType<GpioLineEventArgs>(e)).ToList();
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (uint)i), lines.Select(e => e.LineSequence));
        Assert.True(lines.Zip(lines.Skip(1)).All(p => p.First.TimestampNanoseconds < p.Second.TimestampNanoseconds), "timestamps grow");
    }

    [Fact]
    public void The_stock_GpioController_drives_a_simulated_output_from_its_first_level()
    {
        using var board = new SimulatedBoard(ScenarioLoader.Default(), SimClock.At());
        using var gpio = new GpioController(board.CreateGpioDriver(0));

        gpio.OpenPin(22, PinMode.Output, PinValue.High);
        Assert.Equal(PinValue.High, board.LineLevel(0, 22));
        gpio.Write(22, PinValue.Low);
        Assert.Equal(PinValue.Low, board.LineLevel(0, 22));
        gpio.OpenPin(5, PinMode.Input);

        // System.Device.Gpio 4.2.0 ignores a write to an input without a word (the driver never hears of it), and
        // passes a line number to the driver unchecked, which refuses it.
        gpio.Write(5, PinValue.High);
        Assert.Equal(PinValue.Low, board.LineLevel(0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => gpio.OpenPin(28));
        Assert.Throws<InvalidOperationException>(() => gpio.RegisterCallbackForPinValueChangedEvent(22, PinEventTypes.Rising, (_, _) => { }));
    }

    // The environment's noise changes every 100 ms and the upstream bindings take real time to measure, so a reading
    // is right when it lies among the environment's values over the measurement, within the chip's resolution.
    private static void AssertWithin(Func<DateTimeOffset, double> environment, DateTimeOffset from, DateTimeOffset to, double reading, double resolution)
    {
        var values = new List<double>();
        for (var at = from - TimeSpan.FromMilliseconds(100); at <= to + TimeSpan.FromMilliseconds(100) && values.Count < 1000; at += TimeSpan.FromMilliseconds(50))
        {
            values.Add(environment(at));
        }

        Assert.InRange(reading, values.Min() - resolution, values.Max() + resolution);
    }

    private static PinValue ReadAt(FakeTimeProvider time, GpioController gpio, TimeSpan sinceStart)
    {
        var target = SimClock.Noon + sinceStart;
        if (target > time.GetUtcNow())
        {
            time.Advance(target - time.GetUtcNow());
        }

        return gpio.Read(17);
    }
}
