using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// Aosong AHT20 / AHT10 at command level (AHT20 datasheet V1.1 §5.3–§6, AHT10 datasheet V1.0 §5): every read returns the
/// status byte first (Bit[7] busy, Bit[3] CAL enable; command 0x71 "get status" only sets nothing else up), then
/// after a measurement the 20-bit humidity and 20-bit temperature signals (§5.4 step 4: S_RH in bytes 1, 2 and the high
/// nibble of 3; S_T in the low nibble of 3, bytes 4, 5), and on the AHT20 a CRC-8 (x⁸+x⁵+x⁴+1, initial 0xFF) over the
/// six bytes. Commands: the initialisation/calibration command (AHT20 0xBE 0x08 0x00, AHT10 0xE1 0x08 0x00) sets CAL;
/// trigger measurement 0xAC 0x33 0x00 sets busy for 80 ms (§5.4 step 3); soft reset 0xBA (≤ 20 ms, §5.5) clears CAL.
/// Conversion (§6.1/§6.2): RH = S_RH/2²⁰·100 %, T = S_T/2²⁰·200 − 50 °C. CAL is 0 at power-up until the
/// initialisation command (the datasheet's start-up flow checks it and calibrates when it is 0). Under the "stuck" fault
/// a measurement never ends (busy stays set); "badcrc" corrupts the AHT20's CRC byte.
/// </summary>
public sealed class AhtModel : I2cChipModel
{
    /// <summary>How long a triggered measurement keeps the busy bit set (§5.4 step 3: "wait 80 ms").</summary>
    public static readonly TimeSpan MeasurementTime = TimeSpan.FromMilliseconds(80);

    private const byte GetStatus = 0x71;
    private const byte TriggerMeasurement = 0xAC;
    private const byte SoftReset = 0xBA;
    private const byte Busy = 0x80;
    private const byte Calibrated = 0x08;

    private readonly byte _initCommand;
    private readonly bool _hasCrc;
    private readonly byte[] _data = new byte[6];
    private bool _calibrated;
    private DateTimeOffset _busyUntil = DateTimeOffset.MinValue;
    private bool _measuring;

    private AhtModel(string name, string type, byte initCommand, bool hasCrc, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(name, type, location, time, environment, faults)
    {
        _initCommand = initCommand;
        _hasCrc = hasCrc;
    }

    /// <summary>An AHT20: initialisation command 0xBE, a CRC after the data.</summary>
    public static AhtModel Aht20(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults) =>
        new(name, "aht20", 0xBE, hasCrc: true, location, time, environment, faults);

    /// <summary>An AHT10: initialisation command 0xE1, no CRC.</summary>
    public static AhtModel Aht10(string name, string location, TimeProvider time, EnvironmentModel environment, FaultController faults) =>
        new(name, "aht10", 0xE1, hasCrc: false, location, time, environment, faults);

    /// <summary>The 20-bit humidity signal for <paramref name="percent"/> (§6.1), limited to 20 bits.</summary>
    public static int HumiditySignal(double percent) => (int)Math.Clamp(Math.Round(percent / 100 * (1 << 20)), 0, (1 << 20) - 1);

    /// <summary>The 20-bit temperature signal for <paramref name="celsius"/> (§6.2), limited to 20 bits.</summary>
    public static int TemperatureSignal(double celsius) => (int)Math.Clamp(Math.Round((celsius + 50) / 200 * (1 << 20)), 0, (1 << 20) - 1);

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        Complete();
        var command = data[0];
        if (command == GetStatus || command == SoftReset)
        {
            if (command == SoftReset)
            {
                _calibrated = false;
                _measuring = false;
            }

            return;
        }

        if (command == _initCommand && data.Length == 3 && data[1] == 0x08 && data[2] == 0x00)
        {
            _calibrated = true;
            return;
        }

        if (command == TriggerMeasurement && data.Length == 3 && data[1] == 0x33 && data[2] == 0x00)
        {
            _measuring = true;
            _busyUntil = Time.GetUtcNow() + MeasurementTime;
            return;
        }

        throw Nack($"command {Convert.ToHexString(data)} is not one of the {Type}'s");
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        Complete();
        Span<byte> frame = stackalloc byte[7];
        frame[0] = (byte)((_measuring ? Busy : 0) | (_calibrated ? Calibrated : 0));
        _data.AsSpan(1).CopyTo(frame[1..6]);
        frame[6] = SensirionCrc.Crc8(frame[..6]);
        if (Has(FaultKind.BadCrc))
        {
            frame[6] ^= 0xFF;
        }

        var length = _hasCrc ? 7 : 6;
        data.Clear();
        frame[..Math.Min(length, data.Length)].CopyTo(data);
    }

    // A measurement that has run its time loads the signals of the environment at its end.
    private void Complete()
    {
        if (!_measuring || Time.GetUtcNow() < _busyUntil || Has(FaultKind.Stuck))
        {
            return;
        }

        _measuring = false;
        var rh = HumiditySignal(Environment.Humidity(_busyUntil));
        var t = TemperatureSignal(Environment.Temperature(_busyUntil));
        _data[1] = (byte)(rh >> 12);
        _data[2] = (byte)(rh >> 4);
        _data[3] = (byte)(((rh & 0x0F) << 4) | (t >> 16));
        _data[4] = (byte)(t >> 8);
        _data[5] = (byte)t;
    }
}
