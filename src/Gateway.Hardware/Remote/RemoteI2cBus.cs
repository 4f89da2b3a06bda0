using Gateway.Hardware.I2c;

namespace Gateway.Hardware.Remote;

/// <summary>An I2C bus of a firmware-sim process: every transaction is one request on the socket.</summary>
internal sealed class RemoteI2cBus : I2cBus
{
    private readonly RemoteConnection _connection;

    public RemoteI2cBus(RemoteConnection connection, int busId)
    {
        _connection = connection;
        BusId = busId;
    }

    public override int BusId { get; }

    public override I2cDevice CreateDevice(int deviceAddress) => new RemoteI2cDevice(_connection, new I2cConnectionSettings(BusId, deviceAddress));

    private sealed class RemoteI2cDevice : I2cDevice
    {
        private readonly RemoteConnection _connection;
        private readonly string _name;

        public RemoteI2cDevice(RemoteConnection connection, I2cConnectionSettings settings)
        {
            _connection = connection;
            ConnectionSettings = settings;
            _name = settings.ToString();
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
