using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.FirmwareSim.Scenarios;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// ADS1115 at register level (TI SBAS444): address pointer, config register (reset 0x8583), single-shot conversions
/// started by OS=1 that complete after 1/DR with OS reading 0 meanwhile, MUX (single-ended and differential),
/// PGA scaling and clipping at full scale.
/// </summary>
public sealed class Ads1115Model : I2cChipModel
{
    private static readonly int[] DataRates = [8, 16, 32, 64, 128, 250, 475, 860];
    private static readonly double[] FullScales = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];
    private readonly DeviceSpec _device;
    private byte _pointer;
    private ushort _config = 0x8583;
    private short _conversion;
    private DateTimeOffset _doneAt = DateTimeOffset.MinValue;
    private bool _converting;

    /// <summary>Creates the chip; <paramref name="device"/> describes its inputs.</summary>
    public Ads1115Model(DeviceSpec device, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
        : base(device?.Name ?? throw new ArgumentNullException(nameof(device)), "ads1115", location, time, environment, faults) => _device = device;

    /// <inheritdoc/>
    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        _pointer = (byte)(data[0] & 0x03);
        if (data.Length < 3 || _pointer != 0x01)
        {
            return; // pointer only, or a threshold register this model does not use
        }

        var value = (ushort)((data[1] << 8) | data[2]);
        _config = (ushort)(value & 0x7FFF);
        if ((value & 0x8000) != 0 && (value & 0x0100) != 0)
        {
            // OS=1 in single-shot mode: start one conversion (§9.4.1).
            _converting = true;
            _doneAt = Time.GetUtcNow() + TimeSpan.FromSeconds(1.0 / DataRates[(value >> 5) & 0x07]);
        }
    }

    /// <inheritdoc/>
    protected override void OnRead(Span<byte> data)
    {
        Complete();
        var word = _pointer switch
        {
            0x00 => (ushort)_conversion,
            0x01 => (ushort)(_config | (_converting ? 0 : 0x8000)), // OS reads 1 when no conversion is in progress
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

    private void Complete()
    {
        if (!_converting || Time.GetUtcNow() < _doneAt || Has(FaultKind.Stuck))
        {
            return;
        }

        _converting = false;
        var mux = (_config >> 12) & 0x07;
        var volts = mux switch
        {
            0 => Input(0) - Input(1),
            1 => Input(0) - Input(3),
            2 => Input(1) - Input(3),
            3 => Input(2) - Input(3),
            _ => Input(mux - 4),
        };
        var fsr = FullScales[(_config >> 9) & 0x07];
        _conversion = (short)Math.Clamp(Math.Round(volts / fsr * 32768), short.MinValue, short.MaxValue);
    }

    private double Input(int channel) => Environment.Analog(_device, channel, _doneAt);
}
