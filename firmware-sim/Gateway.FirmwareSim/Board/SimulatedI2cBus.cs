using System.Device.I2c;
using Gateway.FirmwareSim.Chips;
using Gateway.Hardware;
using Gateway.Hardware.I2c;

namespace Gateway.FirmwareSim.Board;

/// <summary>An I2C bus of the simulated board (a System.Device.I2c <see cref="I2cBus"/>): routes each transaction to the chip model at the address.</summary>
internal sealed class SimulatedI2cBus : I2cBus
{
    private readonly IReadOnlyDictionary<int, I2cChipModel> _chips;
    private readonly Lock _busLock;

    public SimulatedI2cBus(int busId, IReadOnlyDictionary<int, I2cChipModel> chips, Lock busLock)
    {
        BusId = busId;
        _chips = chips;
        _busLock = busLock;
    }

    public int BusId { get; }

    public override I2cDevice CreateDevice(int deviceAddress) => new Device(this, I2cAddresses.Settings(BusId, deviceAddress));

    // A device holds nothing of its own (the chip model belongs to the board), so there is nothing to release.
    public override void RemoveDevice(int deviceAddress) => I2cAddresses.Check(deviceAddress);

    private I2cChipModel Chip(I2cConnectionSettings settings) => _chips.TryGetValue(settings.DeviceAddress, out var chip)
        ? chip
        : throw new BusNackException($"no device at {I2cAddresses.Describe(settings)} acknowledged", I2cAddresses.Describe(settings));

    private sealed class Device(SimulatedI2cBus bus, I2cConnectionSettings settings) : I2cDevice
    {
        public override I2cConnectionSettings ConnectionSettings => settings;

        public override void Read(Span<byte> buffer)
        {
            lock (bus._busLock)
            {
                bus.Chip(settings).Read(buffer);
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (bus._busLock)
            {
                bus.Chip(settings).Write(buffer);
            }
        }

        // One transaction with a repeated start: nothing else on the bus can come between the two halves.
        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
        {
            lock (bus._busLock)
            {
                var chip = bus.Chip(settings);
                chip.Write(writeBuffer);
                chip.Read(readBuffer);
            }
        }
    }
}
