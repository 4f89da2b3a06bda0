using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// LM75A at register level (NXP LM75A datasheet, Rev. 06, §7.4): a pointer register (the first byte written; bits 1–0
/// select Temp 00, Conf 01, Thyst 10, Tos 11), registers read MSB first from the pointer without auto-increment (a longer
/// read repeats the register, §7.9). Temp holds an 11-bit two's complement value in D15–D5, 0.125 °C per LSB (§7.4.3,
/// table 9); Thyst and Tos hold 9 bits in D15–D7, 0.5 °C per LSB (power-up 75 °C and 80 °C, §7.4.4/§7.4.5); Conf is
/// one byte, B0 = SHUTDOWN (power-up 0x00, table 6). The chip converts every 100 ms (§7.3, "the temperature is
/// converted every 100 ms"): Temp holds the value of the last finished conversion; in shutdown, and under the "stuck"
/// fault, conversions stop and Temp keeps its last value. The OS output is not modelled.
/// </summary>
public sealed class Lm75Model : I2cChipModel
{
    /// <summary>Time between conversions in normal mode (§7.3).</summary>
    public static readonly TimeSpan ConversionPeriod = TimeSpan.FromMilliseconds(100);

    private const byte Temp = 0x00;
    private const byte Conf = 0x01;
    private const byte Thyst = 0x02;
    private const byte Tos = 0x03;
    private const byte Shutdown = 0x01; // Conf B0

    private readonly DateTimeOffset _start;
    private byte _pointer;
    private byte _conf;
    private ushort _thyst = 0x4B00; // 75 °C
    private ushort _tos = 0x5000; // 80 °C
    private ushort _temp;
    private long _lastConversion = -1;

    /// <summary>Creates the chip in its power-up state, converting from now.</summary>
    public Lm75Model(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(name, "lm75", location, time, environment, faults) => _start = time.GetUtcNow();

    /// <summary>
    /// The Temp register for <paramref name="celsius"/> (§7.4.3, table 9): the 11-bit two's complement count of 0.125 °C
    /// (rounded down, as the ADC's LSB is) in D15–D5, D4–D0 zero; limited to what 11 bits hold (−128 … +127.875 °C).
    /// </summary>
    public static ushort TemperatureRegister(double celsius)
    {
        var eighths = (int)Math.Clamp(Math.Floor(celsius * 8), -1024, 1023);
        return (ushort)((eighths & 0x07FF) << 5);
    }

    /// <summary>The temperature a Temp register holds (the inverse of <see cref="TemperatureRegister"/>).</summary>
    public static double Celsius(ushort register)
    {
        var count = register >> 5;
        return (count >= 0x400 ? count - 0x800 : count) * 0.125;
    }

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        Update();
        _pointer = (byte)(data[0] & 0x03); // pointer bits B1–B0; B7–B2 must be 0 (§7.4.1, table 5)
        if (data.Length == 1)
        {
            return;
        }

        switch (_pointer)
        {
            case Conf:
                _conf = (byte)(data[1] & 0x1F); // B7–B5 reserved, written 0 (table 6)
                break;
            case Thyst when data.Length >= 3:
                _thyst = (ushort)(((data[1] << 8) | data[2]) & 0xFF80);
                break;
            case Tos when data.Length >= 3:
                _tos = (ushort)(((data[1] << 8) | data[2]) & 0xFF80);
                break;
            case Temp:
                break; // read-only
            default:
                throw Nack($"register 0x{_pointer:X2} takes two bytes");
        }
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        Update();
        if (_pointer == Conf)
        {
            data.Fill(_conf);
            return;
        }

        var word = _pointer switch
        {
            Temp => _temp,
            Thyst => _thyst,
            _ => _tos,
        };
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (i & 1) == 0 ? (byte)(word >> 8) : (byte)word;
        }
    }

    // Temp is loaded at the end of every conversion period counted from power-up, unless converting has stopped.
    private void Update()
    {
        if ((_conf & Shutdown) != 0 || Has(FaultKind.Stuck))
        {
            return;
        }

        var elapsed = Time.GetUtcNow() - _start;
        var finished = (long)Math.Floor(elapsed / ConversionPeriod);
        if (finished < 1 || finished == _lastConversion)
        {
            return;
        }

        _lastConversion = finished;
        _temp = TemperatureRegister(Environment.Temperature(_start + (ConversionPeriod * finished)));
    }
}
