namespace Gateway.Hardware.OneWire;

/// <summary>
/// 1-Wire devices as the Linux w1 subsystem shows them (Documentation/w1/): one folder per slave, named
/// <c>FF-SSSSSSSSSSSS</c> (family code, serial), holding files such as <c>w1_slave</c>.
/// </summary>
public interface IOneWireBus
{
    /// <summary>The ids of the slaves present, optionally only of one family (0x28 = DS18B20).</summary>
    IReadOnlyList<string> EnumerateDevices(byte? family = null);

    /// <summary>Reads a slave's file, e.g. <c>w1_slave</c>.</summary>
    /// <exception cref="DeviceNotFoundException">The slave (or the file) is not there.</exception>
    Task<string> ReadFileAsync(string deviceId, string fileName, CancellationToken cancellationToken);
}
