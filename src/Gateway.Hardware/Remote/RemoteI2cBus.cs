using System.Device.I2c;
using Gateway.Hardware.I2c;

namespace Gateway.Hardware.Remote;

/// <summary>An I2C bus of a firmware-sim process (a System.Device.I2c <see cref="I2cBus"/>): every transaction is one request on the socket.</summary>
internal sealed class RemoteI2cBus : I2cBus
{
    private readonly RemoteConnection _connection;

    public RemoteI2cBus(RemoteConnection connection, int busId)
    {
        _connection = connection;
        BusId = busId;
    }

    public int BusId { get; }

    public override I2cDevice CreateDevice(int deviceAddress) => new RemoteI2cDevice(_connection, I2cAddresses.Settings(BusId, deviceAddress));

    // A device holds nothing on the simulator's side until it is used, so there is nothing to release.
    public override void RemoveDevice(int deviceAddress) => I2cAddresses.Check(deviceAddress);

    private sealed class RemoteI2cDevice : I2cDevice
    {
        private readonly RemoteConnection _connection;
        private readonly string _name;

        public RemoteI2cDevice(RemoteConnection connection, I2cConnectionSettings settings)
        {
            _connection = connection;
            ConnectionSettings = settings;
            _name = I2cAddresses.Describe(settings);
        }

        public override I2cConnectionSettings ConnectionSettings { get; }

        public override void Read(Span<byte> buffer) => Transfer(RemoteOps.I2cRead, [], buffer);

        public override void Write(ReadOnlySpan<byte> buffer) => Transfer(RemoteOps.I2cWrite, buffer, []);

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => Transfer(RemoteOps.I2cWriteRead, writeBuffer, readBuffer);

        private void Transfer(string op, ReadOnlySpan<byte> write, Span<byte> read)
        {
            var response = _connection.Call(
                new RemoteRequest
                {
                    Op = op,
                    Bus = ConnectionSettings.BusId,
                    Addr = ConnectionSettings.DeviceAddress,
                    Write = write.IsEmpty ? null : Hex.Encode(write),
                    Read = read.IsEmpty ? null : read.Length,
                },
                _name);
            if (read.IsEmpty)
            {
                return;
            }

            var data = Hex.Decode(response.Data, "i2c data");
            if (data.Length != read.Length)
            {
                throw new HardwareException($"firmware-sim returned {data.Length} bytes for a {read.Length}-byte read from {_name}", _name);
            }

            data.CopyTo(read);
        }
    }
}
