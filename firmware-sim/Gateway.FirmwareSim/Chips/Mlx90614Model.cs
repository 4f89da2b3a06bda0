using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.FirmwareSim.Scenarios;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// Melexis MLX90614 over SMBus (datasheet Rev 13, §8.4): a "read word" is the command byte then a repeated-start read of
/// data low byte, data high byte and PEC, the SMBus CRC-8 (x⁸+x²+x+1, initial 0) over the whole transaction including
/// both address bytes (§8.4.3). RAM commands 000x xxxx: 0x06 T_A (the die), 0x07 T_OBJ1 (what the lens sees); EEPROM
/// commands 001x xxxx: 0x2E holds the SMBus address. Temperatures are 0.02 K per count (§8.7.2: T = raw·0.02 K), bit 15
/// of T_OBJ the error flag. Here the die sits in the scenario's air and the object is the air plus the device's
/// <c>Offset</c> (a warmer or cooler surface). Writes (EEPROM programming, sleep) are not modelled: not acknowledged.
/// Under "badcrc" the PEC is wrong.
/// </summary>
public sealed class Mlx90614Model : I2cChipModel
{
    private const byte AmbientRam = 0x06;
    private const byte Object1Ram = 0x07;
    private const byte SmbusAddressEeprom = 0x2E;

    private readonly int _address;
    private readonly double _objectOffset;
    private byte? _command;

    /// <summary>Creates the chip at <paramref name="address"/> (its EEPROM's SMBus address), seeing the air plus the device's offset.</summary>
    public Mlx90614Model(DeviceSpec device, int address, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(device?.Name ?? throw new ArgumentNullException(nameof(device)), "mlx90614", location, time, environment, faults)
    {
        _address = address;
        _objectOffset = device.Offset;
    }

    /// <summary>The RAM word for <paramref name="celsius"/>: kelvins in 0.02 K counts, rounded, limited to 15 bits (§8.7.2).</summary>
    public static ushort TemperatureWord(double celsius) => (ushort)Math.Clamp(Math.Round((celsius + 273.15) / 0.02), 0, 0x7FFF);

    /// <summary>SMBus PEC (SMBus 2.0 §5.4.1.4): CRC-8, polynomial 0x07, initial 0, over every byte of the transaction.</summary>
    public static byte Pec(ReadOnlySpan<byte> bytes)
    {
        byte crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x07) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.Length != 1)
        {
            throw Nack("writes (EEPROM, sleep) are not modelled; only a read word's command byte is accepted");
        }

        _command = data[0];
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        if (_command is not { } command)
        {
            throw Nack("a read word needs its command byte first");
        }

        var now = Time.GetUtcNow();
        var word = command switch
        {
            AmbientRam => TemperatureWord(Environment.Temperature(now)),
            Object1Ram => TemperatureWord(Environment.Temperature(now) + _objectOffset),
            SmbusAddressEeprom => (ushort)_address,
            _ => throw Nack($"command 0x{command:X2} is not modelled (RAM 0x06/0x07, EEPROM 0x2E)"),
        };
        Span<byte> transaction = [(byte)(_address << 1), command, (byte)((_address << 1) | 1), (byte)word, (byte)(word >> 8)];
        var pec = Pec(transaction);
        if (Has(FaultKind.BadCrc))
        {
            pec ^= 0xFF;
        }

        Span<byte> answer = [(byte)word, (byte)(word >> 8), pec];
        data.Clear();
        answer[..Math.Min(3, data.Length)].CopyTo(data);
    }
}
