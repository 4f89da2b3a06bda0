using System.Device.Gpio;
using System.Device.I2c;
using Gateway.Configuration;
using Gateway.Hardware.Catalogue;
using Gateway.Hardware.Devices.Ads1115;
using Gateway.Hardware.Devices.Bh1750;
using Gateway.Hardware.Devices.Bme280;
using Gateway.Hardware.Devices.DigitalInput;
using Gateway.Hardware.Devices.Ds18b20;
using Gateway.Hardware.Devices.Sht3x;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Sensors;
using Gateway.Sampling;
using Microsoft.Extensions.Logging;

namespace Gateway.Hardware;

/// <summary>
/// Creates the binding for each configured sensor on the board the gateway runs on (Linux, simulated or remote),
/// sharing one bus object per I2C bus and one controller per GPIO chip. An edge callback that throws on one of those
/// chips is caught by the driver and logged here (its 1st, 10th, 100th … failure per line; docs/hardware.md).
/// </summary>
internal sealed partial class SensorFactory : ISensorFactory, IDisposable
{
    private readonly IHardwareBoard _board;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, I2cBus> _buses = [];
    private readonly Dictionary<int, GpioChipController> _gpio = [];
    private readonly Lock _lock = new();
    private readonly ILogger<SensorFactory>? _logger;

    /// <summary>Creates the factory for <paramref name="board"/>.</summary>
    /// <param name="board">The board the sensors are on.</param>
    /// <param name="time">The clock of the bindings' waits.</param>
    /// <param name="logger">Where the GPIO chips' callback failures are logged; without one they go to standard error.</param>
    public SensorFactory(IHardwareBoard board, TimeProvider time, ILogger<SensorFactory>? logger = null)
    {
        _board = board;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc/>
    public ISensor Create(SensorOptions sensor)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        return sensor.Type switch
        {
            SensorType.Bme280 => new Bme280(Device(sensor), _time),
            SensorType.Sht3x => new Sht3x(Device(sensor), _time),
            SensorType.Bh1750 => new Bh1750(Device(sensor), _time),
            SensorType.Ads1115 => new Ads1115(Device(sensor), _time, [.. sensor.Channels.Select(c => (c.Key, c.Value))], Ads1115.GainFor(sensor.FullScale)),
            SensorType.Ds18b20 => new Ds18b20(_board.OneWire, sensor.Device!),
            SensorType.DigitalInput => CreateInput(sensor),
            SensorType.Mcp9808 => CatalogueBindings.Mcp9808(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.Sht4x => CatalogueBindings.Sht4x(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.Lm75 => CatalogueBindings.Lm75(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.Aht20 => CatalogueBindings.Aht20(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.Aht10 => CatalogueBindings.Aht10(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.Bmp280 => CatalogueBindings.Bmp280(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.Max44009 => CatalogueBindings.Max44009(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.Mlx90614 => CatalogueBindings.Mlx90614(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.Si7021 => CatalogueBindings.Si7021(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.Shtc3 => CatalogueBindings.Shtc3(Bus(sensor), sensor.Bus, sensor.Address),
            SensorType.CpuTemperature => CpuTemperatureSensors.Create(_board),
            _ => throw new NotSupportedException($"sensor type {sensor.Type} has no binding"),
        };
    }

    /// <summary>The shared controller of GPIO chip <paramref name="chip"/>.</summary>
    public GpioChipController Gpio(int chip)
    {
        lock (_lock)
        {
            if (!_gpio.TryGetValue(chip, out var controller))
            {
                controller = _board.OpenGpioChip(chip);
                if (_logger is { } logger)
                {
                    controller.CallbackFailed += (_, e) => LogCallbackFailed(logger, e.ChipName, e.PinNumber, e.LineName ?? "unnamed", e.Failures, e.NextReportAt, e.Exception);
                }

                _gpio[chip] = controller;
            }

            return controller;
        }
    }

    private DigitalInput CreateInput(SensorOptions sensor)
    {
        var gpio = Gpio(sensor.Chip);
        var mode = sensor.Pull switch
        {
            PullMode.Up => PinMode.InputPullUp,
            PullMode.Down => PinMode.InputPullDown,
            _ => PinMode.Input,
        };
        var edges = sensor.Edges switch
        {
            EdgeKind.Rising => PinEventTypes.Rising,
            EdgeKind.Falling => PinEventTypes.Falling,
            _ => PinEventTypes.Rising | PinEventTypes.Falling,
        };
        return new DigitalInput(gpio, gpio.ResolvePin(sensor.Pin!), mode, sensor.Debounce, edges, _time);
    }

    private I2cDevice Device(SensorOptions sensor) => Bus(sensor).CreateDevice(sensor.Address);

    private I2cBus Bus(SensorOptions sensor)
    {
        lock (_lock)
        {
            if (!_buses.TryGetValue(sensor.Bus, out var bus))
            {
                bus = _board.OpenI2cBus(sensor.Bus);
                _buses[sensor.Bus] = bus;
            }

            return bus;
        }
    }

    /// <summary>Releases the buses and GPIO controllers.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var gpio in _gpio.Values)
            {
                gpio.Dispose();
            }

            foreach (var bus in _buses.Values)
            {
                bus.Dispose();
            }

            _gpio.Clear();
            _buses.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "An edge callback on {Chip} line {Pin} ({Line}) threw; failure {Failures} on this line. Its other callbacks and later edges still run; the next report is at failure {Next}")]
    private static partial void LogCallbackFailed(ILogger logger, string chip, int pin, string line, long failures, long next, Exception exception);
}
