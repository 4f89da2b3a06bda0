using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// Silicon Labs Si7021-A20 at command level (datasheet Rev. 1.2, §5 and table 11): measure RH 0xE5 (hold master) / 0xF5
/// (no hold), measure T 0xE3 / 0xF3, read T of the last RH measurement 0xE0, reset 0xFE, write/read user register 1
/// 0xE6/0xE7 (power-up 0x3A; RES1 bit 7 and RES0 bit 0 set the resolution, HTRE bit 2 the heater; bits 6, 5–3 and 1
/// keep their values, table 12), firmware revision 0x84 0xB8 (0x20 = firmware 2.0). A measurement answers MSB, LSB,
/// checksum (CRC-8 x⁸+x⁵+x⁴+1, initial 0x00, §5.1) with the codes of §5.1.1/§5.1.2 (RH = 125·code/65536 − 6,
/// T = 175.72·code/65536 − 46.85) cut to the resolution's bits. An RH measurement also measures T (§5.1.1). Conversion
/// time: the typical values of table 2 (RH 12-bit 10 ms + T 14-bit 7 ms; fewer bits convert faster). No-hold reads before the end are not acknowledged; a
/// hold-master read is answered with the result (the chip stretches SCL until then: the wait is the master's, not
/// modelled). Under "stuck" a conversion never ends; "badcrc" corrupts the checksum.
/// </summary>
public sealed class Si7021Model : I2cChipModel
{
    /// <summary>Firmware revision 2.0 (§5.6: 0x20).</summary>
    public const byte FirmwareRevision = 0x20;

    private byte _user = 0x3A;
    private byte[]? _response;
    private DateTimeOffset _readyAt;
    private bool _holdMaster;
    private double _lastTemperature;

    /// <summary>Creates the chip in its power-up state.</summary>
    public Si7021Model(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(name, "si7021", location, time, environment, faults)
    {
    }

    /// <summary>(RH bits, T bits) for a user register's RES1:RES0 (table 12: 00 → 12/14, 01 → 8/12, 10 → 10/13, 11 → 11/11).</summary>
    public static (int Humidity, int Temperature) Resolution(byte user) => (((user >> 6) & 0x02) | (user & 0x01)) switch
    {
        0 => (12, 14),
        1 => (8, 12),
        2 => (10, 13),
        _ => (11, 11),
    };

    /// <summary>The temperature code for <paramref name="celsius"/> (§5.1.2), cut to <paramref name="bits"/> bits.</summary>
    public static ushort TemperatureCode(double celsius, int bits) => Cut(Math.Floor((celsius + 46.85) * 65536 / 175.72), bits);

    /// <summary>The RH code for <paramref name="percent"/> (§5.1.1), cut to <paramref name="bits"/> bits.</summary>
    public static ushort HumidityCode(double percent, int bits) => Cut(Math.Floor((percent + 6) * 65536 / 125), bits);

    /// <summary>The Si7021's checksum: CRC-8, polynomial 0x31, initial 0x00 (§5.1).</summary>
    public static byte Checksum(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x31) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        var now = Time.GetUtcNow();
        var (rhBits, tBits) = Resolution(_user);
        switch (data[0])
        {
            case 0xE5 or 0xF5:
                Start(now + TimeSpan.FromMilliseconds(HumidityMs(rhBits) + TemperatureMs(tBits)), data[0] == 0xE5, humidity: true);
                break;
            case 0xE3 or 0xF3:
                Start(now + TimeSpan.FromMilliseconds(TemperatureMs(tBits)), data[0] == 0xE3, humidity: false);
                break;
            case 0xE0:
                _response = Word(TemperatureCode(_lastTemperature, tBits));
                _readyAt = now;
                break;
            case 0xFE:
                _user = 0x3A;
                _response = null;
                break;
            case 0xE6 when data.Length == 2:
                _user = (byte)((data[1] & 0x85) | (_user & 0x7A)); // RES1, HTRE, RES0 writable; the rest kept
                break;
            case 0xE7:
                _response = [_user];
                _readyAt = now;
                break;
            case 0x84 when data.Length == 2 && data[1] == 0xB8:
                _response = [FirmwareRevision];
                _readyAt = now;
                break;
            default:
                throw Nack($"command {Convert.ToHexString(data)} is not modelled");
        }
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        var pending = _response is null || (Time.GetUtcNow() < _readyAt && !_holdMaster) || (_measuring && Has(FaultKind.Stuck));
        if (pending)
        {
            throw Nack("read header not acknowledged: no measurement ready");
        }

        if (_measuring)
        {
            _measuring = false;
            var (rhBits, tBits) = Resolution(_user);
            _lastTemperature = Environment.Temperature(_readyAt);
            _response = _measuringHumidity
                ? Word(HumidityCode(Environment.Humidity(_readyAt), rhBits))
                : Word(TemperatureCode(_lastTemperature, tBits));
            if (Has(FaultKind.BadCrc))
            {
                _response[2] ^= 0xFF;
            }
        }

        data.Clear();
        _response!.AsSpan(0, Math.Min(data.Length, _response!.Length)).CopyTo(data);
        _response = null;
    }

    private bool _measuring;
    private bool _measuringHumidity;

    private void Start(DateTimeOffset readyAt, bool holdMaster, bool humidity)
    {
        _response = [];
        _readyAt = readyAt;
        _holdMaster = holdMaster;
        _measuring = true;
        _measuringHumidity = humidity;
    }

    // Table 2, typical conversion times by resolution.
    private static double HumidityMs(int bits) => bits switch { 12 => 10, 11 => 5.8, 10 => 3.7, _ => 2.6 };

    private static double TemperatureMs(int bits) => bits switch { 14 => 7, 13 => 4, 12 => 2.4, _ => 1.5 };

    private static ushort Cut(double code, int bits)
    {
        var value = (int)Math.Clamp(code, 0, 65535);
        return (ushort)(value & (0xFFFF << (16 - bits)));
    }

    private static byte[] Word(ushort code)
    {
        byte[] word = [(byte)(code >> 8), (byte)code, 0];
        word[2] = Checksum(word.AsSpan(0, 2));
        return word;
    }
}
