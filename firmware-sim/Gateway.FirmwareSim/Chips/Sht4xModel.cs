using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// SHT4x at command level (Sensirion SHT4x datasheet, version 6, "Command Overview"): one-byte commands — measure T and RH at high (0xFD),
/// medium (0xF6) or lowest (0xE0) repeatability, read the serial number (0x89), soft reset (0x94). A measurement is
/// ready after its maximum duration (the datasheet's timing table: 8.3, 4.5, 1.6 ms); until then, and after its 6
/// bytes have been read once, a read header is not acknowledged. The answer is T MSB, LSB, CRC, RH MSB, RH LSB, CRC with the CRC-8
/// of "Checksum Calculation" (<see cref="SensirionCrc"/>). Faults: "badcrc" corrupts the temperature's CRC, "stuck" never ends
/// a measurement. The heater commands (0x39, 0x32, 0x2F, 0x24, 0x1E, 0x15) are not modelled: they are not
/// acknowledged, rather than answered with an invented heater effect.
/// </summary>
public sealed class Sht4xModel : I2cChipModel
{
    private const byte MeasureHigh = 0xFD;
    private const byte MeasureMedium = 0xF6;
    private const byte MeasureLowest = 0xE0;
    private const byte ReadSerial = 0x89;
    private const byte SoftReset = 0x94;

    private readonly uint _serialNumber;
    private byte[]? _response;
    private DateTimeOffset _readyAt;
    private bool _isMeasurement;

    /// <summary>Creates the chip; <paramref name="serialNumber"/> is what command 0x89 reports.</summary>
    public Sht4xModel(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults, uint serialNumber = 0x1234_5678)
        : base(name, "sht4x", location, time, environment, faults) => _serialNumber = serialNumber;

    /// <summary>The temperature signal S_T for <paramref name="celsius"/> ("Conversion of Signal Output": T = −45 + 175·S_T/(2¹⁶ − 1)), limited to 16 bits.</summary>
    public static ushort TemperatureSignal(double celsius) =>
        (ushort)Math.Clamp(Math.Round((celsius + 45) * 65535 / 175), 0, 65535);

    /// <summary>The humidity signal S_RH for <paramref name="percent"/> ("Conversion of Signal Output": RH = −6 + 125·S_RH/(2¹⁶ − 1)), limited to 16 bits.</summary>
    public static ushort HumiditySignal(double percent) =>
        (ushort)Math.Clamp(Math.Round((percent + 6) * 65535 / 125), 0, 65535);

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.Length != 1)
        {
            throw Nack("commands are one byte");
        }

        var now = Time.GetUtcNow();
        switch (data[0])
        {
            case MeasureHigh:
                StartMeasurement(now + TimeSpan.FromMilliseconds(8.3));
                break;
            case MeasureMedium:
                StartMeasurement(now + TimeSpan.FromMilliseconds(4.5));
                break;
            case MeasureLowest:
                StartMeasurement(now + TimeSpan.FromMilliseconds(1.6));
                break;
            case ReadSerial:
                _response = Frame((ushort)(_serialNumber >> 16), (ushort)_serialNumber);
                _readyAt = now;
                _isMeasurement = false;
                break;
            case SoftReset:
                _response = null;
                break;
            default:
                throw Nack($"command 0x{data[0]:X2} is not supported by this model");
        }
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        if (_response is null || Time.GetUtcNow() < _readyAt || (_isMeasurement && Has(FaultKind.Stuck)))
        {
            throw Nack("read header not acknowledged: no data ready");
        }

        if (_isMeasurement)
        {
            _response = Frame(TemperatureSignal(Environment.Temperature(_readyAt)), HumiditySignal(Environment.Humidity(_readyAt)));
            if (Has(FaultKind.BadCrc))
            {
                _response[2] ^= 0xFF;
            }
        }

        _response.AsSpan(0, Math.Min(data.Length, _response.Length)).CopyTo(data);
        _response = null; // read once
    }

    private void StartMeasurement(DateTimeOffset readyAt)
    {
        _response = [];
        _readyAt = readyAt;
        _isMeasurement = true;
    }

    // Two 16-bit words, each MSB first and followed by its CRC.
    private static byte[] Frame(ushort first, ushort second)
    {
        byte[] frame = [(byte)(first >> 8), (byte)first, 0, (byte)(second >> 8), (byte)second, 0];
        frame[2] = SensirionCrc.Crc8(frame.AsSpan(0, 2));
        frame[5] = SensirionCrc.Crc8(frame.AsSpan(3, 2));
        return frame;
    }
}
