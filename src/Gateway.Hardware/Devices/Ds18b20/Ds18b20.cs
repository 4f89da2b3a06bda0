using System.Globalization;
using Gateway.Hardware.OneWire;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Ds18b20;

/// <summary>
/// Maxim DS18B20 1-Wire thermometer as the Linux w1_therm driver presents it (Documentation/w1/slaves/w1_therm.rst):
/// the <c>w1_slave</c> file's CRC verdict must be YES, and the power-on value 85 °C and the power-fault value
/// 127.937 °C are refused as implausible.
/// </summary>
public sealed class Ds18b20 : ISensor
{
    /// <summary>The 1-Wire family code of the DS18B20.</summary>
    public const byte Family = 0x28;

    private readonly IOneWireBus _bus;
    private readonly string _deviceId;

    /// <summary>Creates the binding for slave <paramref name="deviceId"/> (e.g. <c>28-000005e2fdc3</c>).</summary>
    public Ds18b20(IOneWireBus bus, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        _bus = bus;
        _deviceId = deviceId;
        Description = $"DS18B20 {deviceId}";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>
    /// Parses a <c>w1_slave</c> file: line 1 ends in <c>crc=XX YES|NO</c>, line 2 ends in <c>t=&lt;millidegrees&gt;</c>.
    /// Returns °C; throws <see cref="ChecksumException"/> for NO, <see cref="ImplausibleReadingException"/> for 85000
    /// or 127937, and <see cref="HardwareException"/> for anything malformed.
    /// </summary>
    public static double ParseW1Slave(string content, string device)
    {
        ArgumentNullException.ThrowIfNull(content);
        var lines = content.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2)
        {
            throw new HardwareException($"DS18B20 {device}: w1_slave has {lines.Length} line(s), expected 2", device);
        }

        var crc = lines[0].LastIndexOf("crc=", StringComparison.Ordinal);
        if (crc < 0)
        {
            throw new HardwareException($"DS18B20 {device}: w1_slave line 1 has no 'crc=' verdict: '{lines[0]}'", device);
        }

        if (!lines[0].EndsWith(" YES", StringComparison.Ordinal))
        {
            throw new ChecksumException($"DS18B20 {device}: the kernel's CRC check failed ({lines[0][crc..]})", device);
        }

        var t = lines[1].LastIndexOf("t=", StringComparison.Ordinal);
        if (t < 0 || !int.TryParse(lines[1].AsSpan(t + 2), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli))
        {
            throw new HardwareException($"DS18B20 {device}: w1_slave line 2 has no 't=<millidegrees>': '{lines[1]}'", device);
        }

        if (milli is 85000 or 127937)
        {
            throw new ImplausibleReadingException(
                $"DS18B20 {device}: read {milli / 1000.0:0.###} °C, the {(milli == 85000 ? "power-on reset" : "power fault")} value, not a measurement", device);
        }

        return milli / 1000.0;
    }

    /// <summary>Reads the temperature in °C.</summary>
    public async ValueTask<double> ReadTemperatureAsync(CancellationToken cancellationToken)
        => ParseW1Slave(await _bus.ReadFileAsync(_deviceId, "w1_slave", cancellationToken).ConfigureAwait(false), _deviceId);

    /// <inheritdoc/>
    async ValueTask<IReadOnlyList<Measurement>> ISensor.ReadAsync(CancellationToken cancellationToken)
        => [new("temperature", await ReadTemperatureAsync(cancellationToken).ConfigureAwait(false), Units.Celsius)];

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
