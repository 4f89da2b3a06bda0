using System.Globalization;
using System.Text;
using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware.Linux;
using Gateway.Hardware.OneWire;

namespace Gateway.FirmwareSim.Board;

/// <summary>
/// The simulated board's 1-Wire thermometers, presented exactly as Linux's w1_therm does: a sysfs-shaped folder with
/// one <c>28-…/w1_slave</c> file per DS18B20, rewritten at each read (the kernel converts on read), read back through
/// the same <see cref="SysfsOneWireBus"/> the gateway uses on a real board.
/// </summary>
internal sealed class SimulatedOneWireBus : IOneWireBus
{
    private readonly IReadOnlyList<DeviceSpec> _probes;
    private readonly EnvironmentModel _environment;
    private readonly FaultController _faults;
    private readonly TimeProvider _time;
    private readonly SysfsOneWireBus _sysfs;
    private readonly Lock _lock = new();

    public SimulatedOneWireBus(string root, IEnumerable<DeviceSpec> devices, EnvironmentModel environment, FaultController faults, TimeProvider time)
    {
        Root = root;
        _probes = [.. devices.Where(d => d.Type.Equals("Ds18b20", StringComparison.OrdinalIgnoreCase))];
        _environment = environment;
        _faults = faults;
        _time = time;
        _sysfs = new SysfsOneWireBus(root);
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(root, "w1_bus_master1"));
        Refresh(null);
    }

    public string Root { get; }

    /// <summary>
    /// The DS18B20 scratchpad for a temperature (datasheet table 1 and figure 9): 12-bit two's complement in 1/16 °C,
    /// TH, TL, config 0x7F (12-bit), reserved bytes, and the Dallas/Maxim CRC-8 over the first eight bytes.
    /// </summary>
    public static byte[] Scratchpad(double celsius)
    {
        var raw = (short)Math.Round(celsius * 16);
        byte[] pad = [(byte)raw, (byte)(raw >> 8), 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0];
        pad[8] = Crc8(pad.AsSpan(0, 8));
        return pad;
    }

    /// <summary>Dallas/Maxim 1-Wire CRC-8: polynomial x⁸+x⁵+x⁴+1, reflected (0x8C), initial 0 (application note 27).</summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (var b in data)
        {
            var x = (byte)(crc ^ b);
            crc = 0;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = ((x ^ crc) & 1) != 0 ? (byte)((crc >> 1) ^ 0x8C) : (byte)(crc >> 1);
                x >>= 1;
            }
        }

        return crc;
    }

    /// <summary>The w1_slave text w1_therm writes for a scratchpad (Documentation/w1/slaves/w1_therm.rst).</summary>
    public static string W1Slave(byte[] pad, bool crcOk)
    {
        ArgumentNullException.ThrowIfNull(pad);
        var hex = string.Join(' ', pad.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        var raw = (short)(pad[0] | (pad[1] << 8));
        var milli = raw * 1000 / 16;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{hex} : crc={pad[8]:x2} {(crcOk ? "YES" : "NO")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{hex} t={milli}\n");
        return sb.ToString();
    }

    public IReadOnlyList<string> EnumerateDevices(byte? family = null)
    {
        Refresh(null);
        return _sysfs.EnumerateDevices(family);
    }

    public Task<string> ReadFileAsync(string deviceId, string fileName, CancellationToken cancellationToken)
    {
        Refresh(deviceId);
        return _sysfs.ReadFileAsync(deviceId, fileName, cancellationToken);
    }

    private void Refresh(string? only)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var probe in _probes.Where(p => only is null || string.Equals(p.Id, only, StringComparison.OrdinalIgnoreCase)))
            {
                var folder = Path.Combine(Root, probe.Id!);
                if (_faults.Active(FaultKind.Gone, probe.Name, "ds18b20"))
                {
                    if (Directory.Exists(folder))
                    {
                        Directory.Delete(folder, recursive: true);
                    }

                    continue;
                }

                Directory.CreateDirectory(folder);
                var stuck = _faults.Active(FaultKind.Stuck, probe.Name, "ds18b20");
                var pad = Scratchpad(stuck ? 85.0 : _environment.Temperature(now) + probe.Offset); // 85 °C: the power-on value
                var badCrc = _faults.Active(FaultKind.BadCrc, probe.Name, "ds18b20");
                if (badCrc)
                {
                    pad[8] ^= 0x5A;
                }

                File.WriteAllText(Path.Combine(folder, "w1_slave"), W1Slave(pad, crcOk: !badCrc));
            }
        }
    }
}
