using System.Device.I2c;
using Gateway.Hardware.I2c;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Devices.Ads1115;

/// <summary>
/// TI ADS1115 16-bit ADC on I2C (datasheet SBAS444): single-shot conversions of AIN0–AIN3 against GND. Each
/// conversion is started with OS=1, waited for (one conversion period plus the data-rate tolerance), and confirmed
/// by polling OS until it reads 1 (idle) before the result is read: the conversion register keeps the previous
/// result until then, which would be a stale value.
/// </summary>
public sealed class Ads1115 : ISensor
{
    /// <summary>How often OS is polled, at most, after a wait that should have been long enough.</summary>
    public const int StatusPolls = 10;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    private readonly ChipBus _bus;
    private readonly TimeProvider _time;
    private readonly (int Channel, string Quantity)[] _channels;
    private Ads1115Gain _gain;
    private Ads1115DataRate _dataRate = Ads1115DataRate.Sps128;
    private bool _disposed;

    /// <summary>Creates the binding; it owns <paramref name="device"/>. Nothing is sent until the first read.</summary>
    /// <param name="device">The chip (address 0x48–0x4B).</param>
    /// <param name="time">Clock for the conversion wait.</param>
    /// <param name="channels">
    /// Which inputs to read (0–3, each against GND) and the quantity each is reported as, e.g.
    /// <c>[(0, "soil_moisture"), (1, "battery")]</c>; every value is in volts.
    /// </param>
    /// <param name="gain">Full-scale range (default ±4.096 V).</param>
    /// <exception cref="ArgumentException">No channels, a channel outside 0–3, or an empty or repeated quantity.</exception>
    public Ads1115(I2cDevice device, TimeProvider time, IReadOnlyList<(int Channel, string Quantity)> channels, Ads1115Gain gain = Ads1115Gain.Fsr4096)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0)
        {
            throw new ArgumentException("at least one channel, e.g. (0, \"voltage\")", nameof(channels));
        }

        var quantities = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (channel, quantity) in channels)
        {
            CheckChannel(channel, nameof(channels));
            if (string.IsNullOrWhiteSpace(quantity))
            {
                throw new ArgumentException($"channel {channel} needs a quantity name", nameof(channels));
            }

            if (!quantities.Add(quantity))
            {
                throw new ArgumentException($"quantity '{quantity}' is given to more than one channel", nameof(channels));
            }
        }

        CheckGain(gain, nameof(gain));
        Description = $"ADS1115 at {I2cAddresses.Describe(device.ConnectionSettings)}";
        _bus = new ChipBus(device, Description);
        _time = time;
        _channels = [.. channels];
        _gain = gain;
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>The programmable gain (full-scale range) used for every channel.</summary>
    public Ads1115Gain Gain
    {
        get => _gain;
        set
        {
            CheckGain(value, nameof(Gain));
            _gain = value;
        }
    }

    /// <summary>The data rate (default 128 SPS): slower is less noisy; one single-shot conversion takes 1/rate.</summary>
    public Ads1115DataRate DataRate
    {
        get => _dataRate;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(DataRate), value, "a DR code from 000 (8 SPS) to 111 (860 SPS)");
            }

            _dataRate = value;
        }
    }

    /// <summary>Full-scale range in volts of a gain setting (datasheet §9.3.3, table 3).</summary>
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
    /// <exception cref="ArgumentOutOfRangeException">No PGA setting has that range.</exception>
    public static Ads1115Gain GainFor(double volts)
    {
        foreach (var gain in Enum.GetValues<Ads1115Gain>())
        {
            if (Math.Abs(FullScale(gain) - volts) < 1e-9)
            {
                return gain;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(volts), volts, "not an ADS1115 full-scale range: 6.144, 4.096, 2.048, 1.024, 0.512 or 0.256");
    }

    /// <summary>Samples per second of a data-rate setting (datasheet §9.6.3).</summary>
    public static int SamplesPerSecond(Ads1115DataRate dataRate) => dataRate switch
    {
        Ads1115DataRate.Sps8 => 8,
        Ads1115DataRate.Sps16 => 16,
        Ads1115DataRate.Sps32 => 32,
        Ads1115DataRate.Sps64 => 64,
        Ads1115DataRate.Sps128 => 128,
        Ads1115DataRate.Sps250 => 250,
        Ads1115DataRate.Sps475 => 475,
        Ads1115DataRate.Sps860 => 860,
        _ => throw new ArgumentOutOfRangeException(nameof(dataRate), dataRate, "not a DR setting"),
    };

    /// <summary>
    /// How long to wait after starting a single-shot conversion: one conversion period, plus 10 % for the data-rate
    /// tolerance (datasheet, Electrical Characteristics: data rate variation ±10 %) and 0.5 ms for the wake-up from power-down.
    /// </summary>
    public static TimeSpan ConversionTime(Ads1115DataRate dataRate) =>
        TimeSpan.FromSeconds(1.1 / SamplesPerSecond(dataRate)) + TimeSpan.FromMilliseconds(0.5);

    /// <summary>Voltage of a raw conversion result (datasheet §9.3.3, table 3): V = raw × FSR / 32768.</summary>
    public static double ToVolts(short raw, Ads1115Gain gain) => raw * FullScale(gain) / 32768.0;

    /// <summary>The config word that starts a single-shot conversion of AIN<paramref name="channel"/> against GND (datasheet §9.6.3).</summary>
    public static ushort ConfigFor(int channel, Ads1115Gain gain, Ads1115DataRate dataRate = Ads1115DataRate.Sps128)
    {
        CheckChannel(channel, nameof(channel));
        return (ushort)((1 << 15)           // OS = 1: start a single conversion
            | ((0b100 + channel) << 12)     // MUX = 1xx: AINx vs GND
            | ((byte)gain << 9)             // PGA
            | (1 << 8)                      // MODE = 1: single-shot, power down after
            | ((byte)dataRate << 5)         // DR
            | 0b11);                        // COMP_QUE = 11: comparator off (COMP_MODE, COMP_POL, COMP_LAT at their defaults 0)
    }

    /// <summary>Converts one channel (AIN0–AIN3 against GND) and returns its voltage.</summary>
    /// <exception cref="ImplausibleReadingException">The conversion did not finish (OS stays 0).</exception>
    /// <exception cref="BusNackException">The chip did not acknowledge.</exception>
    /// <exception cref="BusTimeoutException">The bus is stuck.</exception>
    public async ValueTask<double> ReadVoltageAsync(int channel, CancellationToken cancellationToken)
    {
        CheckChannel(channel, nameof(channel));
        ObjectDisposedException.ThrowIf(_disposed, this);
        var gain = _gain;
        var dataRate = _dataRate;
        var config = ConfigFor(channel, gain, dataRate);
        _bus.Write([(byte)Ads1115Register.Config, (byte)(config >> 8), (byte)config], $"starting a conversion of AIN{channel} (config 0x{config:X4})");
        await DeviceWaits.Delay(ConversionTime(dataRate), _time, cancellationToken).ConfigureAwait(false);

        var word = new byte[2];
        for (var i = 0; ; i++)
        {
            _bus.WriteRead([(byte)Ads1115Register.Config], word, "reading config (OS bit)");
            if ((word[0] & 0x80) != 0)
            {
                break; // OS reads 1: no conversion in progress (§9.6.3)
            }

            if (i == StatusPolls - 1)
            {
                throw new ImplausibleReadingException(
                    $"{Description}: conversion of AIN{channel} did not finish: OS (config bit 15) still 0 after {ConversionTime(dataRate).TotalMilliseconds:0.#} ms + {StatusPolls} polls",
                    _bus.Location);
            }

            await DeviceWaits.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }

        _bus.WriteRead([(byte)Ads1115Register.Conversion], word, $"reading the conversion of AIN{channel}");
        return ToVolts((short)((word[0] << 8) | word[1]), gain);
    }

    /// <summary>Converts every configured channel in turn; one measurement per channel, named as configured, in volts.</summary>
    public async ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken)
    {
        var list = new List<Measurement>(_channels.Length);
        foreach (var (channel, quantity) in _channels)
        {
            list.Add(new Measurement(quantity, await ReadVoltageAsync(channel, cancellationToken).ConfigureAwait(false), Units.Volt));
        }

        return list;
    }

    /// <summary>Releases the device.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _bus.Dispose();
        }
    }

    private static void CheckChannel(int channel, string parameter)
    {
        if (channel is < 0 or > 3)
        {
            throw new ArgumentOutOfRangeException(parameter, channel, "an input from 0 to 3 (AIN0–AIN3)");
        }
    }

    private static void CheckGain(Ads1115Gain gain, string parameter)
    {
        if (!Enum.IsDefined(gain))
        {
            throw new ArgumentOutOfRangeException(parameter, gain, "a PGA setting from 000 (±6.144 V) to 101 (±0.256 V)");
        }
    }
}
