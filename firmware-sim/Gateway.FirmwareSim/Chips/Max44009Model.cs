using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// Maxim MAX44009 at register level (datasheet 19-5413 Rev 0, "Register Map" and "Lux Reading"): a register pointer
/// (the first byte written) that advances on each byte read; 0x02 configuration (CONT bit 7, MANUAL bit 6, CDR bit 3,
/// TIM bits 2–0; power-up 0x03), 0x03 lux high byte (exponent E3–E0 in bits 7–4, mantissa M7–M4 in bits 3–0), 0x04 lux
/// low byte (M3–M0 in bits 3–0). Lux = 2^exponent · mantissa · 0.045 (table "Lux Reading", 8-bit mantissa), exponent
/// 1111 meaning overrange. In the default mode the chip measures every 800 ms, in continuous mode (CONT = 1) back to
/// back (every 100 ms here, the shortest integration time of automatic ranging); the registers hold the last finished
/// measurement. The model ranges as the automatic mode does at its best: the smallest exponent whose mantissa fits 8
/// bits. Thresholds and interrupts are stored but not acted on. Under "stuck" measurements stop.
/// </summary>
public sealed class Max44009Model : I2cChipModel
{
    /// <summary>The lux of one mantissa count at exponent 0 (datasheet "Lux Reading").</summary>
    public const double LuxPerCount = 0.045;

    private const byte Configuration = 0x02;
    private const byte LuxHigh = 0x03;
    private const byte Cont = 0x80;

    private readonly byte[] _regs = new byte[8];
    private readonly DateTimeOffset _start;
    private byte _pointer;
    private long _lastMeasurement = -1;

    /// <summary>Creates the chip in its power-up state, measuring from now.</summary>
    public Max44009Model(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(name, "max44009", location, time, environment, faults)
    {
        _start = time.GetUtcNow();
        _regs[Configuration] = 0x03;
        _regs[0x05] = 0xFF; // upper threshold high byte
        _regs[0x07] = 0xFF; // threshold timer
    }

    /// <summary>The (lux high, lux low) register pair for <paramref name="lux"/>: the smallest exponent that fits, the mantissa rounded down.</summary>
    public static (byte High, byte Low) Encode(double lux)
    {
        var counts = Math.Max(0, lux) / LuxPerCount;
        for (var exponent = 0; exponent <= 14; exponent++)
        {
            var mantissa = Math.Floor(counts / (1 << exponent));
            if (mantissa <= 255)
            {
                var m = (int)mantissa;
                return ((byte)((exponent << 4) | (m >> 4)), (byte)(m & 0x0F));
            }
        }

        return (0xFF, 0x0F); // overrange (exponent 1111)
    }

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        Update();
        _pointer = data[0];
        if (_pointer is LuxHigh or 0x04 or 0x00 || _pointer > 0x07)
        {
            if (data.Length > 1)
            {
                throw Nack($"register 0x{_pointer:X2} is read-only");
            }

            return;
        }

        for (var i = 1; i < data.Length && _pointer + i - 1 <= 0x07; i++)
        {
            _regs[_pointer + i - 1] = data[i];
        }
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        Update();
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = _pointer <= 0x07 ? _regs[_pointer] : (byte)0xFF;
            _pointer++;
        }
    }

    private void Update()
    {
        if (Has(FaultKind.Stuck))
        {
            return;
        }

        var period = (_regs[Configuration] & Cont) != 0 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMilliseconds(800);
        var finished = (long)Math.Floor((Time.GetUtcNow() - _start) / period);
        if (finished < 1 || finished == _lastMeasurement)
        {
            return;
        }

        _lastMeasurement = finished;
        (_regs[LuxHigh], _regs[0x04]) = Encode(Environment.Light(_start + (period * finished)));
    }
}
