using System.Device.Gpio;
using System.Device.I2c;
using Gateway.FirmwareSim.Chips;
using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.I2c;
using Gateway.Hardware.OneWire;

namespace Gateway.FirmwareSim.Board;

/// <summary>
/// The simulated board: the scenario's chips on their I2C buses, GPIO lines driven by the environment, DS18B20s in a
/// sysfs-shaped folder, and fault injection — all behind the same <see cref="IHardwareBoard"/> interface the Linux
/// drivers implement, so the gateway's bindings run against it unchanged. Everything is driven by one clock
/// (<see cref="TimeProvider"/>): with a controlled clock and the same seed, a run is reproducible.
/// </summary>
public sealed class SimulatedBoard : IHardwareBoard, Gateway.Hardware.Remote.ILineProbe, Gateway.Hardware.Catalogue.ICpuTemperatureSource
{
    private readonly Dictionary<int, Dictionary<int, I2cChipModel>> _buses = [];
    private readonly Dictionary<int, SimulatedGpioChip> _gpio = [];
    private readonly Lock _busLock = new();
    private readonly Lock _pumpLock = new();
    private readonly ITimer _pump;
    private bool _disposed;
    private readonly bool _ownsOneWireRoot;
    private readonly SimulatedOneWireBus _oneWire;

    /// <summary>Builds the board described by <paramref name="scenario"/>.</summary>
    /// <param name="scenario">The devices, environment and timed faults.</param>
    /// <param name="time">The board's clock; the scenario's times count from its value now.</param>
    /// <param name="oneWireRoot">Folder for the sysfs-shaped 1-Wire tree; a temporary folder (removed on dispose) when null.</param>
    public SimulatedBoard(Scenario scenario, TimeProvider time, string? oneWireRoot = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(time);
        Scenario = scenario;
        Time = time;
        var start = time.GetUtcNow();
        Environment = new EnvironmentModel(scenario, start);
        Faults = new FaultController(time, IsTarget);
        _pump = time.CreateTimer(_ => OnPumpDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        foreach (var d in scenario.Devices)
        {
            var address = ScenarioLoader.AddressOf(d);
            var location = I2cAddresses.Describe(new I2cConnectionSettings(Math.Max(d.Bus, 0), address is >= 0x08 and <= 0x77 ? address : 0x08));
            I2cChipModel? chip = d.Type switch
            {
                "Bme280" => new Bme280Model(d.Name, location, time, Environment, Faults),
                "Sht3x" => new Sht3xModel(d.Name, location, time, Environment, Faults),
                "Bh1750" => new Bh1750Model(d.Name, location, time, Environment, Faults),
                "Ads1115" => new Ads1115Model(d, location, time, Environment, Faults),
                "Mcp9808" => new Mcp9808Model(d.Name, location, time, Environment, Faults),
                "Sht4x" => new Sht4xModel(d.Name, location, time, Environment, Faults),
                "Lm75" => new Lm75Model(d.Name, location, time, Environment, Faults),
                "Aht20" => AhtModel.Aht20(d.Name, location, time, Environment, Faults),
                "Aht10" => AhtModel.Aht10(d.Name, location, time, Environment, Faults),
                "Max44009" => new Max44009Model(d.Name, location, time, Environment, Faults),
                "Mlx90614" => new Mlx90614Model(d, address, location, time, Environment, Faults),
                "Bmp280" => Bme280Model.Bmp280(d.Name, location, time, Environment, Faults),
                "Si7021" => new Si7021Model(d.Name, location, time, Environment, Faults),
                "Shtc3" => new Shtc3Model(d.Name, location, time, Environment, Faults),
                _ => null,
            };
            if (chip is not null)
            {
                if (!_buses.TryGetValue(d.Bus, out var bus))
                {
                    _buses[d.Bus] = bus = [];
                }

                bus[address] = chip;
            }
        }

        foreach (var chipNumber in scenario.Devices.Where(d => d.Pin is not null).Select(d => d.Chip).Append(0).Distinct())
        {
            _gpio[chipNumber] = new SimulatedGpioChip(chipNumber, scenario.Devices, Environment, Faults, time, SchedulePump);
        }

        _ownsOneWireRoot = oneWireRoot is null;
        var root = oneWireRoot ?? Directory.CreateTempSubdirectory("firmware-sim-w1-").FullName;
        _oneWire = new SimulatedOneWireBus(root, scenario.Devices, Environment, Faults, time);

        foreach (var timed in scenario.Faults)
        {
            Faults.Add(FaultSpec.Parse(timed.Fault) with { Duration = timed.Duration }, start + timed.At);
        }
    }

    /// <summary>The scenario the board was built from.</summary>
    public Scenario Scenario { get; }

    /// <summary>The board's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The world the sensors measure.</summary>
    public EnvironmentModel Environment { get; }

    /// <summary>Fault injection (also the firmware-sim CLI's control API).</summary>
    public FaultController Faults { get; }

    /// <summary>The sysfs-shaped folder holding the DS18B20 files.</summary>
    public string OneWireRoot => _oneWire.Root;

    /// <inheritdoc/>
    public string Description => $"Simulated (scenario {Scenario.Name}, seed {Scenario.Seed})";

    /// <inheritdoc/>
    public IOneWireBus OneWire => _oneWire;

    /// <summary>How much warmer than the scenario's air the simulated CPU runs, K (the simulator's choice, not a physical model).</summary>
    public const double CpuAboveAmbient = 20.0;

    /// <summary>The simulated CPU's temperature: the environment's air temperature now plus <see cref="CpuAboveAmbient"/>.</summary>
    public double CpuTemperatureCelsius() => Environment.Temperature(Time.GetUtcNow()) + CpuAboveAmbient;

    /// <inheritdoc/>
    public GpioChipController OpenGpioChip(int chip) => new(CreateGpioDriver(chip));

    /// <summary>
    /// A System.Device.Gpio driver for simulated chip <paramref name="chip"/>, for code that builds its own controller:
    /// <c>new GpioController(board.CreateGpioDriver(0))</c> drives the simulated lines as any dotnet/iot code does. It
    /// also implements <see cref="IGpioLineFeatures"/> (line names, debounce; edges as <see cref="GpioLineEventArgs"/>).
    /// </summary>
    /// <exception cref="DeviceNotFoundException">The board has no such chip.</exception>
    public GpioDriver CreateGpioDriver(int chip) => _gpio.TryGetValue(chip, out var state)
        ? new SimulatedGpioDriver(state)
        : throw new DeviceNotFoundException($"the simulated board has no gpiochip{chip}", $"gpiochip{chip}");

    /// <inheritdoc/>
    public I2cBus OpenI2cBus(int busId) => new SimulatedI2cBus(busId, _buses.TryGetValue(busId, out var chips) ? chips : [], _busLock);

    /// <summary>The level a GPIO line is at now (what a scope on the pin would show): outputs as driven, inputs as the environment drives them.</summary>
    public PinValue LineLevel(int chip, int pin) =>
        _gpio.TryGetValue(chip, out var state) && pin >= 0 && pin < SimulatedGpioChip.Lines
            ? state.Level(pin)
            : throw new ArgumentException($"the simulated board has no line {pin} on gpiochip{chip}");

    /// <summary>
    /// Delivers the input edges up to the clock's now. The board does this by itself at each edge someone listens for
    /// (and at no other time, so an idle board costs no wake-ups); calling it is only needed to deliver at once the
    /// edges of a clock moved without running its timers.
    /// </summary>
    public void Pump()
    {
        foreach (var chip in _gpio.Values)
        {
            chip.Pump();
        }
    }

    private void OnPumpDue()
    {
        Pump();
        SchedulePump();
    }

    // Sets the pump's one-shot timer to the earliest edge any chip will deliver, or stops it when nobody listens.
    private void SchedulePump()
    {
        lock (_pumpLock)
        {
            if (_disposed)
            {
                return;
            }

            DateTimeOffset? next = null;
            foreach (var chip in _gpio.Values)
            {
                if (chip.NextDelivery() is { } due && (next is null || due < next))
                {
                    next = due;
                }
            }

            if (next is null)
            {
                _pump.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            // Timers count whole milliseconds and drop the rest (System.Threading.Timer): round up, so that the edge
            // has happened when the timer fires; at least 1 ms, so that a timer firing a little early (the runtime's
            // coarse clock) waits again instead of spinning.
            var wait = Math.Max(1, Math.Ceiling((next.Value - Time.GetUtcNow()).TotalMilliseconds));
            _pump.Change(TimeSpan.FromMilliseconds(wait), Timeout.InfiniteTimeSpan);
        }
    }

    private bool IsTarget(string name)
    {
        if (name.StartsWith("gpio", StringComparison.OrdinalIgnoreCase) && int.TryParse(name.AsSpan(4), out var pin) && pin is >= 0 and < SimulatedGpioChip.Lines)
        {
            return true;
        }

        return Scenario.Devices.Any(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase) || d.Type.Equals(name, StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_pumpLock)
        {
            _disposed = true;
            _pump.Dispose();
        }

        if (_ownsOneWireRoot)
        {
            try
            {
                Directory.Delete(_oneWire.Root, recursive: true);
            }
            catch (IOException)
            {
                // a reader may still hold a file for a moment; the temp folder is cleaned by the OS
            }
        }
    }
}
