using Gateway.Hardware.OneWire;

namespace Gateway.Hardware.Tests.Devices.Fakes;

/// <summary>1-Wire slaves as files, the way w1 shows them; a slave not in <see cref="Files"/> is not there.</summary>
internal sealed class FakeOneWireBus : IOneWireBus
{
    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    public int Reads { get; private set; }

    public IReadOnlyList<string> EnumerateDevices(byte? family = null) =>
        [.. Files.Keys.Select(k => k.Split('/')[0]).Distinct().Where(id => family is null || id.StartsWith($"{family:x2}-", StringComparison.Ordinal))];

    public Task<string> ReadFileAsync(string deviceId, string fileName, CancellationToken cancellationToken)
    {
        Reads++;
        return Files.TryGetValue($"{deviceId}/{fileName}", out var content)
            ? Task.FromResult(content)
            : throw new DeviceNotFoundException($"1-Wire slave {deviceId} is not present", $"/sys/bus/w1/devices/{deviceId}/{fileName}");
    }
}
