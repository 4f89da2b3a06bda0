using System.Device.Gpio;
using System.Device.I2c;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.OneWire;

namespace Gateway.Hardware.Remote;

/// <summary>
/// The board as served by a separate <c>firmware-sim</c> process over a Unix socket
/// (<c>Gateway:Hardware:Backend=RemoteSimulator</c>). The same bindings run on it as on Linux.
/// </summary>
public sealed class RemoteSimulatorBoard : IHardwareBoard
{
    private readonly RemoteConnection _connection;

    /// <summary>Creates the board; the socket is connected on first use.</summary>
    /// <param name="socketPath">The firmware-sim socket, e.g. <c>/run/firmware-sim.sock</c>.</param>
    /// <param name="timeout">How long one request may take before it fails with <see cref="BusTimeoutException"/>.</param>
    public RemoteSimulatorBoard(string socketPath, TimeSpan timeout)
    {
        _connection = new RemoteConnection(socketPath, timeout);
        OneWire = new RemoteOneWireBus(_connection);
    }

    /// <inheritdoc/>
    public string Description => $"RemoteSimulator (firmware-sim at {_connection.SocketPath})";

    /// <inheritdoc/>
    public IOneWireBus OneWire { get; }

    /// <summary>Asks the simulator to identify itself; throws when it cannot be reached.</summary>
    public string Hello() => _connection.Call(new RemoteRequest { Op = RemoteOps.Hello }, "firmware-sim").Text ?? "firmware-sim";

    /// <inheritdoc/>
    public GpioChipController OpenGpioChip(int chip) => new(new RemoteGpioDriver(_connection, chip));

    /// <inheritdoc/>
    public I2cBus OpenI2cBus(int busId) => new RemoteI2cBus(_connection, busId);

    /// <inheritdoc/>
    public void Dispose() => _connection.Dispose();
}
