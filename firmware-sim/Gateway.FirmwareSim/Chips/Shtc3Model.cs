using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// Sensirion SHTC3 at command level (datasheet version 4, §5): 16-bit commands MSB first — sleep 0xB098, wakeup 0x3517,
/// soft reset 0x805D, read ID 0xEFC8 (an ID whose bits 11 and 5–0 are the SHTC3 code 0b1000_0000_0111, table 15), and
/// the measurements of table 10 (T first: normal 0x7866 / 0x7CA2 with clock stretching, low power 0x609C / 0x6458; RH
/// first: 0x58E0 / 0x5C24, 0x401A / 0x44DE). In sleep only wakeup is acknowledged (§5.2); power-up ends in idle. A
/// polling measurement is not acknowledged on read until its maximum time has passed (table 5: 12.1 ms normal, 0.8 ms
/// low power); a clock-stretching read is answered with the result (the chip holds SCL: the wait is the master's). The
/// answer is two words, each followed by the Sensirion CRC-8 (§5.9): T = −45 + 175·S_T/2¹⁶, RH = 100·S_RH/2¹⁶
/// (§5.11). Under "stuck" a measurement never ends; "badcrc" corrupts the first word's CRC.
/// </summary>
public sealed class Shtc3Model : I2cChipModel
{
    /// <summary>The ID register's value (table 15: xxxx 1xxx xx00 0111).</summary>
    public const ushort Id = 0x0887;

    private bool _asleep;
    private byte[]? _response;
    private DateTimeOffset _readyAt;
    private bool _stretching;
    private bool _measuring;
    private bool _humidityFirst;

    /// <summary>Creates the chip in idle state, as after power-up.</summary>
    public Shtc3Model(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(name, "shtc3", location, time, environment, faults)
    {
    }

    /// <summary>S_T for <paramref name="celsius"/> (§5.11), limited to 16 bits.</summary>
    public static ushort TemperatureSignal(double celsius) => (ushort)Math.Clamp(Math.Round((celsius + 45) * 65536 / 175), 0, 65535);

    /// <summary>S_RH for <paramref name="percent"/> (§5.11), limited to 16 bits.</summary>
    public static ushort HumiditySignal(double percent) => (ushort)Math.Clamp(Math.Round(percent * 65536 / 100), 0, 65535);

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.Length != 2)
        {
            throw Nack("commands are two bytes");
        }

        var command = (ushort)((data[0] << 8) | data[1]);
        if (_asleep && command != 0x3517)
        {
            throw Nack($"asleep: command 0x{command:X4} not acknowledged until wakeup (0x3517)");
        }

        var now = Time.GetUtcNow();
        switch (command)
        {
            case 0x3517:
                _asleep = false;
                break;
            case 0xB098:
                _asleep = true;
                _response = null;
                break;
            case 0x805D:
                _response = null;
                _measuring = false;
                break;
            case 0xEFC8:
                _response = Frame(Id, 0);
                _response = _response[..3];
                _readyAt = now;
                _measuring = false;
                break;
            case 0x7866 or 0x7CA2 or 0x58E0 or 0x5C24:
                Start(now + TimeSpan.FromMilliseconds(12.1), command is 0x7CA2 or 0x5C24, command is 0x58E0 or 0x5C24);
                break;
            case 0x609C or 0x6458 or 0x401A or 0x44DE:
                Start(now + TimeSpan.FromMilliseconds(0.8), command is 0x6458 or 0x44DE, command is 0x401A or 0x44DE);
                break;
            default:
                throw Nack($"command 0x{command:X4} is not one of the SHTC3's");
        }
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        if (_asleep || _response is null || (_measuring && ((Time.GetUtcNow() < _readyAt && !_stretching) || Has(FaultKind.Stuck))))
        {
            throw Nack("read header not acknowledged: no data ready");
        }

        if (_measuring)
        {
            _measuring = false;
            var t = TemperatureSignal(Environment.Temperature(_readyAt));
            var rh = HumiditySignal(Environment.Humidity(_readyAt));
            _response = _humidityFirst ? Frame(rh, t) : Frame(t, rh);
            if (Has(FaultKind.BadCrc))
            {
                _response[2] ^= 0xFF;
            }
        }

        data.Clear();
        _response.AsSpan(0, Math.Min(data.Length, _response.Length)).CopyTo(data);
        _response = null;
    }

    private void Start(DateTimeOffset readyAt, bool stretching, bool humidityFirst)
    {
        _response = [];
        _readyAt = readyAt;
        _stretching = stretching;
        _humidityFirst = humidityFirst;
        _measuring = true;
    }

    private static byte[] Frame(ushort first, ushort second)
    {
        byte[] frame = [(byte)(first >> 8), (byte)first, 0, (byte)(second >> 8), (byte)second, 0];
        frame[2] = SensirionCrc.Crc8(frame.AsSpan(0, 2));
        frame[5] = SensirionCrc.Crc8(frame.AsSpan(3, 2));
        return frame;
    }
}
