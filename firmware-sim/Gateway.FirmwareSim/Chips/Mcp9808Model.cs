using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// MCP9808 at register level (Microchip DS25095A / DS20005095): a register pointer (§5.1, the first byte written), 16-bit
/// registers sent MSB first, the 8-bit resolution register; continuous conversion that puts the ambient temperature
/// into T_A once per t_CONV of the chosen resolution (table 1-1: 30/65/130/250 ms), shutdown (CONFIG bit 8) that stops
/// converting and keeps the last value, and the T_A alert flags against T_CRIT, T_UPPER and T_LOWER. Under the
/// "stuck" fault conversions stop as in shutdown: T_A keeps its last value.
/// </summary>
public sealed class Mcp9808Model : I2cChipModel
{
    /// <summary>Register 0x06: manufacturer ID (§5.1.4).</summary>
    public const ushort ManufacturerId = 0x0054;

    /// <summary>Register 0x07: device ID 0x04 in the upper byte, revision 0x00 in the lower (§5.1.5).</summary>
    public const ushort DeviceIdRevision = 0x0400;

    // Register pointer values (§5.1, table 5-1).
    private const byte Config = 0x01;
    private const byte TUpper = 0x02;
    private const byte TLower = 0x03;
    private const byte TCrit = 0x04;
    private const byte TA = 0x05;
    private const byte ManufacturerIdRegister = 0x06;
    private const byte DeviceIdRegister = 0x07;
    private const byte Resolution = 0x08;
    private const ushort Shutdown = 0x0100; // CONFIG bit 8, SHDN
    private const ushort CriticalLock = 0x0080; // CONFIG bit 7, Crit. Lock
    private const ushort WindowLock = 0x0040; // CONFIG bit 6, Win. Lock

    // t_CONV per resolution setting 00–11 (table 1-1, typical): +0.5, +0.25, +0.125, +0.0625 °C.
    private static readonly TimeSpan[] ConversionTimes = [TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(65), TimeSpan.FromMilliseconds(130), TimeSpan.FromMilliseconds(250)];

    private byte _pointer;
    private ushort _config;
    private ushort _upper;
    private ushort _lower;
    private ushort _critical;
    private byte _resolution = 0x03; // power-up default: +0.0625 °C
    private ushort _ambient; // T_A with its flags as of the last conversion; 0x0000 at power-up
    private DateTimeOffset _convertingSince;
    private DateTimeOffset _lastConversion = DateTimeOffset.MinValue;

    /// <summary>Creates the chip in its power-up state, converting continuously from now.</summary>
    public Mcp9808Model(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(name, "mcp9808", location, time, environment, faults) => _convertingSince = time.GetUtcNow();

    /// <summary>
    /// The T_A temperature bits for <paramref name="celsius"/> at a resolution setting (§5.1.3, register 5-4): 13-bit
    /// two's complement in 1/16 °C (bit 12 is the sign), the bits below the resolution cleared. Out-of-range values are
    /// limited to what 13 bits hold (−256 … +255.9375 °C).
    /// </summary>
    public static ushort TemperatureBits(double celsius, int resolution)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(resolution);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(resolution, 3);
        var dropped = 3 - resolution; // +0.5 °C keeps 1/2 °C steps: the lowest 3 bits are 0
        var sixteenths = (int)Math.Clamp(Math.Floor(celsius * 16 / (1 << dropped)) * (1 << dropped), -4096, 4095);
        return (ushort)(sixteenths & 0x1FFF);
    }

    /// <summary>The temperature in T_A's bits 12–0 (the inverse of <see cref="TemperatureBits"/>), flags ignored.</summary>
    public static double Celsius(ushort ta)
    {
        var bits = ta & 0x1FFF;
        return (bits >= 0x1000 ? bits - 0x2000 : bits) / 16.0;
    }

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        _pointer = (byte)(data[0] & 0x0F); // pointer bits 3–0; 7–4 must be 0 (register 5-1)
        if (data.Length == 1)
        {
            return;
        }

        if (_pointer == Resolution)
        {
            Update();
            _resolution = (byte)(data[1] & 0x03);
            _convertingSince = Time.GetUtcNow(); // T_A keeps its value until a conversion at the new resolution ends
            return;
        }

        if (data.Length < 3)
        {
            throw Nack($"register 0x{_pointer:X2} takes two bytes");
        }

        var word = (ushort)((data[1] << 8) | data[2]);
        switch (_pointer)
        {
            case Config:
                WriteConfig(word);
                break;
            case TUpper when (_config & WindowLock) == 0:
                _upper = Limit(word);
                break;
            case TLower when (_config & WindowLock) == 0:
                _lower = Limit(word);
                break;
            case TCrit when (_config & CriticalLock) == 0:
                _critical = Limit(word);
                break;
            default:
                break; // T_A, the IDs and the reserved register are read-only
        }
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        Update();
        if (_pointer == Resolution)
        {
            data.Clear();
            if (!data.IsEmpty)
            {
                data[0] = _resolution;
            }

            return;
        }

        var word = _pointer switch
        {
            Config => _config,
            TUpper => _upper,
            TLower => _lower,
            TCrit => _critical,
            TA => _ambient,
            ManufacturerIdRegister => ManufacturerId,
            DeviceIdRegister => DeviceIdRevision,
            _ => (ushort)0,
        };
        if (data.Length > 0)
        {
            data[0] = (byte)(word >> 8);
        }

        if (data.Length > 1)
        {
            data[1] = (byte)word;
        }
    }

    // Register 5-2: bits 10–0 are settable; Int. Clear (bit 5) always reads 0; the lock bits, once set, stay set until a
    // power-on reset and lock their limit registers, and while either is set the device cannot be shut down.
    private void WriteConfig(ushort word)
    {
        Update();
        var locks = (ushort)(_config & (CriticalLock | WindowLock));
        var value = (ushort)((word & 0x07DF) | locks);
        if (locks != 0)
        {
            value = (ushort)((value & ~Shutdown) | (_config & Shutdown));
        }

        if ((_config & Shutdown) != 0 && (value & Shutdown) == 0)
        {
            _convertingSince = Time.GetUtcNow(); // the first conversion after shutdown takes t_CONV
        }

        _config = value;
    }

    // T_UPPER, T_LOWER and T_CRIT hold 0.25 °C steps: bits 12–2, sign in bit 12 (register 5-3).
    private static ushort Limit(ushort word) => (ushort)(word & 0x1FFC);

    // Register 5-4: bit 15 T_A ≥ T_CRIT, bit 14 T_A > T_UPPER, bit 13 T_A < T_LOWER, judged when a conversion ends.
    private ushort Flags(ushort temperature)
    {
        var ta = Celsius(temperature);
        return (ushort)((ta >= Celsius(_critical) ? 0x8000 : 0) | (ta > Celsius(_upper) ? 0x4000 : 0) | (ta < Celsius(_lower) ? 0x2000 : 0));
    }

    // Continuous conversion: T_A holds the environment's temperature at the end of the last whole t_CONV.
    private void Update()
    {
        if ((_config & Shutdown) != 0 || Has(FaultKind.Stuck))
        {
            return;
        }

        var period = ConversionTimes[_resolution];
        var elapsed = Time.GetUtcNow() - _convertingSince;
        if (elapsed < period)
        {
            return;
        }

        var lastEnd = _convertingSince + (period * Math.Floor(elapsed / period));
        if (lastEnd <= _lastConversion)
        {
            return; // still the conversion already loaded
        }

        _lastConversion = lastEnd;
        var temperature = TemperatureBits(Environment.Temperature(lastEnd), _resolution);
        _ambient = (ushort)(temperature | Flags(temperature));
    }
}
