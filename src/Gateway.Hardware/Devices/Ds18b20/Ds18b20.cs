using System.Globalization;
using Gateway.Hardware.OneWire;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Ds18b20;

/// <summary>
/// Maxim DS18B20 1-Wire thermometer as the Linux w1_therm driver presents it (Documentation/w1/slaves/w1_therm.rst):
/// reading <c>w1_slave</c> makes the kernel run a conversion and read the scratchpad, so there is no wait here. The
/// kernel's CRC verdict must be YES; the power-on value 85 °C, the power-fault value 127.937 °C, values outside the
/// chip's −55…+125 °C range and scratchpads that cannot come from a DS18B20 are refused as implausible.
/// </summary>
public sealed class Ds18b20 : ISensor
{
    /// <summary>The 1-Wire family code of the DS18B20.</summary>
    public const byte Family = 0x28;

    /// <summary>The temperature register's power-on reset value, +85 °C (datasheet, note to table 1), in millidegrees.</summary>
    public const int PowerOnResetMillidegrees = 85000;

    /// <summary>What w1_therm reports when a parasite-powered probe lost power during the conversion (0x07FF).</summary>
    public const int PowerFaultMillidegrees = 127937;

    private const string FileName = "w1_slave";

    private readonly IOneWireBus _bus;
    private readonly string _deviceId;

    /// <summary>Creates the binding for slave <paramref name="deviceId"/> (e.g. <c>28-000005e2fdc3</c>) on <paramref name="bus"/> (shared, not owned).</summary>
    public Ds18b20(IOneWireBus bus, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        _bus = bus;
        _deviceId = deviceId;
        Description = DescribeDevice(deviceId);
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>
    /// Parses a <c>w1_slave</c> file: line 1 is the nine scratchpad bytes then <c>: crc=XX YES|NO</c>, line 2 the
    /// same bytes then <c>t=&lt;millidegrees&gt;</c>. Returns °C.
    /// </summary>
    /// <param name="content">The file's text.</param>
    /// <param name="device">The slave id, for messages.</param>
    /// <exception cref="ChecksumException">The kernel's CRC verdict is NO.</exception>
    /// <exception cref="ImplausibleReadingException">85000, 127937, a value outside −55…+125 °C, or a scratchpad whose configuration byte is not a DS18B20's.</exception>
    /// <exception cref="HardwareException">The file is not in the w1_therm format; the message says what is missing.</exception>
    public static double ParseW1Slave(string content, string device)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(device);
        var who = DescribeDevice(device);
        var lines = content.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2)
        {
            throw new HardwareException($"{who}: w1_slave has {lines.Length} line(s), expected 2", device);
        }

        // Line 1: "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES".
        var colon = lines[0].IndexOf(':', StringComparison.Ordinal);
        var crc = lines[0].LastIndexOf("crc=", StringComparison.Ordinal);
        if (colon < 0 || crc < colon)
        {
            throw new HardwareException($"{who}: w1_slave line 1 has no ': crc=XX YES|NO' verdict: '{lines[0]}'", device);
        }

        var verdict = lines[0][crc..];
        if (verdict.EndsWith(" NO", StringComparison.Ordinal))
        {
            throw new ChecksumException($"{who}: the kernel's CRC check of the scratchpad failed ({verdict})", device);
        }

        if (!verdict.EndsWith(" YES", StringComparison.Ordinal))
        {
            throw new HardwareException($"{who}: w1_slave line 1 ends in neither YES nor NO: '{lines[0]}'", device);
        }

        var scratchpad = ParseScratchpad(lines[0].AsSpan(0, colon));
        if (scratchpad is null)
        {
            throw new HardwareException($"{who}: w1_slave line 1 does not start with the 9 scratchpad bytes: '{lines[0]}'", device);
        }

        // Line 2: "72 01 4b 46 7f ff 0e 10 57 t=23125".
        var t = lines[1].LastIndexOf("t=", StringComparison.Ordinal);
        if (t < 0 || !int.TryParse(lines[1].AsSpan(t + 2), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli))
        {
            throw new HardwareException($"{who}: w1_slave line 2 has no 't=<millidegrees>': '{lines[1]}'", device);
        }

        // Configuration register (scratchpad byte 4, datasheet figure 10): bit 7 reads 0 and bits 4–0 read 1. A
        // probe that did not answer reads all zeros, whose CRC is also zero, so the kernel says YES and t=0.
        var config = scratchpad[4];
        if ((config & 0x9F) != 0x1F)
        {
            throw new ImplausibleReadingException(
                $"{who}: scratchpad configuration byte is 0x{config:X2}, a DS18B20's reads 0b0RR11111; the probe did not answer properly", device);
        }

        if (milli is PowerOnResetMillidegrees or PowerFaultMillidegrees)
        {
            throw new ImplausibleReadingException(
                $"{who}: read {milli / 1000.0:0.###} °C, the {(milli == PowerOnResetMillidegrees ? "power-on reset" : "power fault")} value, not a measurement", device);
        }

        // Measuring range −55 °C to +125 °C (datasheet, features and table 1).
        if (milli is < -55000 or > 125000)
        {
            throw new ImplausibleReadingException($"{who}: read {milli / 1000.0:0.###} °C, outside the DS18B20's range of -55 to +125 °C", device);
        }

        return milli / 1000.0;
    }

    /// <summary>Reads the temperature in °C.</summary>
    /// <exception cref="DeviceNotFoundException">The slave is not on the bus (as the bus reports it).</exception>
    /// <exception cref="ChecksumException">The kernel's CRC check failed.</exception>
    /// <exception cref="ImplausibleReadingException">A power-on, power-fault or out-of-range value.</exception>
    public async ValueTask<double> ReadTemperatureAsync(CancellationToken cancellationToken)
    {
        string content;
        try
        {
            content = await _bus.ReadFileAsync(_deviceId, FileName, cancellationToken).ConfigureAwait(false);
        }
        catch (HardwareException ex)
        {
            var named = DeviceErrors.Named(ex, Description, _deviceId, "reading w1_slave");
            if (ReferenceEquals(named, ex))
            {
                throw;
            }

            throw named;
        }

        return ParseW1Slave(content, _deviceId);
    }

    /// <inheritdoc/>
    async ValueTask<IReadOnlyList<Measurement>> ISensor.ReadAsync(CancellationToken cancellationToken)
        => [new("temperature", await ReadTemperatureAsync(cancellationToken).ConfigureAwait(false), Units.Celsius)];

    /// <summary>Nothing to release: the 1-Wire bus is shared.</summary>
    public void Dispose()
    {
    }

    private static string DescribeDevice(string deviceId) => $"DS18B20 at 1-Wire {deviceId}";

    // The nine hex bytes before the colon, or null when they are not exactly that.
    private static byte[]? ParseScratchpad(ReadOnlySpan<char> text)
    {
        var bytes = new byte[9];
        var count = 0;
        foreach (var range in text.Split(' '))
        {
            var token = text[range];
            if (token.IsEmpty)
            {
                continue;
            }

            if (count == bytes.Length || token.Length != 2 || !byte.TryParse(token, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[count]))
            {
                return null;
            }

            count++;
        }

        return count == bytes.Length ? bytes : null;
    }
}
