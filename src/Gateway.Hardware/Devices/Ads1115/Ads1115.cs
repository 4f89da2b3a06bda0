using Gateway.Hardware.I2c;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Ads1115;

/// <summary>ADS1115 address-pointer register values (datasheet SBAS444 §9.6.1).</summary>
public enum Ads1115Register : byte
{
    /// <summary>Conversion result, signed 16-bit big-endian.</summary>
    Conversion = 0x00,

    /// <summary>Configuration.</summary>
    Config = 0x01,

    /// <summary>Low threshold.</summary>
    LoThresh = 0x02,

    /// <summary>High threshold.</summary>
    HiThresh = 0x03,
}

/// <summary>Programmable gain: full-scale range (datasheet §9.3.3 table 3); the value is PGA[2:0].</summary>
public enum Ads1115Gain : byte
{
    /// <summary>±6.144 V.</summary>
    Fsr6144 = 0b000,

    /// <summary>±4.096 V.</summary>
    Fsr4096 = 0b001,

    /// <summary>±2.048 V (power-on default).</summary>
    Fsr2048 = 0b010,

    /// <summary>±1.024 V.</summary>
    Fsr1024 = 0b011,

    /// <summary>±0.512 V.</summary>
    Fsr0512 = 0b100,

    /// <summary>±0.256 V.</summary>
    Fsr0256 = 0b101,
}

/// <summary>
/// TI ADS1115 16-bit ADC: single-shot conversions of AIN0–AIN3 against GND. Each conversion is started with OS=1,
/// waited for (1/data rate), and confirmed by polling OS until it reads 1 (idle) before the result is read.
/// </summary>
public sealed class Ads1115 : ISensor
{
    private const int DataRate = 128; // DR = 100, the default (samples per second)
    private const int StatusPolls = 10;

    private readonly I2cDevice _device;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<(int Channel, string Quantity)> _channels;

    /// <summary>Creates the binding; it owns <paramref name="device"/>.</summary>
    /// <param name="device">The chip.</param>
    /// <param name="time">Clock for the conversion wait.</param>
    /// <param name="channels">Which inputs to read (0–3) and the quantity each is reported as.</param>
    /// <param name="gain">Full-scale range.</param>
    public Ads1115(I2cDevice device, TimeProvider time, IReadOnlyList<(int Channel, string Quantity)> channels, Ads1115Gain gain = Ads1115Gain.Fsr4096)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(channels);
        foreach (var (channel, _) in channels)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(channel);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(channel, 3);
        }

        _device = device;
        _time = time;
        _channels = channels;
        Gain = gain;
        Description = $"ADS1115 at {device.ConnectionSettings}";
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>The programmable gain.</summary>
    public Ads1115Gain Gain { get; set; }

    /// <summary>Full-scale range in volts of a gain setting.</summary>
    public static double FullScale(Ads1115Gain gain) => gain switch
    {
        Ads1115Gain.Fsr6144 => 6.144,
        Ads1115Gain.Fsr4096 => 4.096,
        Ads1115Gain.Fsr2048 => 2.048,
        Ads1115Gain.Fsr1024 => 1.024,
        Ads1115Gain.Fsr0512 => 0.512,
        Ads1115Gain.Fsr0256 => 0.256,
        _ => throw new ArgumentOutOfRangeException(nameof(gain), gain, "not a PGA setting"),
    };

    /// <summary>The gain whose full-scale range is <paramref name="volts"/> (6.144, 4.096, 2.048, 1.024, 0.512 or 0.256).</summary>
    public static Ads1115Gain GainFor(double volts) =>
        Enum.GetValues<Ads1115Gain>().FirstOrDefault(g => Math.Abs(FullScale(g) - volts) < 1e-9, (Ads1115Gain)0xFF) is var g && g != (Ads1115Gain)0xFF
            ? g
            : throw new ArgumentOutOfRangeException(nameof(volts), volts, "not an ADS1115 full-scale range");

    /// <summary>Voltage of a raw conversion result (datasheet §9.3.3): V = raw × FSR / 32768.</summary>
    public static double ToVolts(short raw, Ads1115Gain gain) => raw * FullScale(gain) / 32768.0;

    /// <summary>The config word for a single-shot conversion of AIN<paramref name="channel"/> against GND.</summary>
    public static ushort ConfigFor(int channel, Ads1115Gain gain) =>
        (ushort)((1 << 15)                      // OS: start a single conversion
            | ((0b100 + channel) << 12)         // MUX: AINx vs GND
            | ((byte)gain << 9)                 // PGA
            | (1 << 8)                          // MODE: single-shot
            | (0b100 << 5)                      // DR: 128 SPS
            | 0b11);                            // COMP_QUE: comparator off

    /// <summary>Converts one channel and returns its voltage.</summary>
    public async ValueTask<double> ReadVoltageAsync(int channel, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channel, 3);
        var config = ConfigFor(channel, Gain);
        _device.Write([(byte)Ads1115Register.Config, (byte)(config >> 8), (byte)config]);
        await Task.Delay(TimeSpan.FromSeconds(1.0 / DataRate) + TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);

        var word = new byte[2];
        for (var i = 0; ; i++)
        {
            _device.WriteRead([(byte)Ads1115Register.Config], word);
            if ((word[0] & 0x80) != 0)
            {
                break; // OS reads 1: no conversion in progress
            }

            if (i == StatusPolls)
            {
                throw new ImplausibleReadingException($"{Description}: conversion of AIN{channel} did not finish (OS stays 0)", _device.ConnectionSettings.ToString());
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), _time, cancellationToken).ConfigureAwait(false);
        }

        _device.WriteRead([(byte)Ads1115Register.Conversion], word);
        return ToVolts((short)((word[0] << 8) | word[1]), Gain);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken)
    {
        var list = new List<Measurement>(_channels.Count);
        foreach (var (channel, quantity) in _channels)
        {
            list.Add(new Measurement(quantity, await ReadVoltageAsync(channel, cancellationToken).ConfigureAwait(false), Units.Volt));
        }

        return list;
    }

    /// <inheritdoc/>
    public void Dispose() => _device.Dispose();
}
