using System.Globalization;
using Gateway.Hardware.OneWire;

namespace Gateway.Hardware.Remote;

/// <summary>The 1-Wire slaves of a firmware-sim process.</summary>
internal sealed class RemoteOneWireBus : IOneWireBus
{
    private readonly RemoteConnection _connection;

    public RemoteOneWireBus(RemoteConnection connection) => _connection = connection;

    public IReadOnlyList<string> EnumerateDevices(byte? family = null)
    {
        var response = _connection.Call(new RemoteRequest { Op = RemoteOps.W1List, Family = family }, "w1");
        return [.. (response.Items ?? []).OfType<string>()];
    }

    public Task<string> ReadFileAsync(string deviceId, string fileName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);

        // The connection's API is synchronous; run it off the caller's thread so an async caller is not blocked.
        return Task.Run(
            () => _connection.Call(new RemoteRequest { Op = RemoteOps.W1Read, Device = deviceId, File = fileName }, string.Create(CultureInfo.InvariantCulture, $"w1 {deviceId}/{fileName}")).Text ?? string.Empty,
            cancellationToken);
    }
}
