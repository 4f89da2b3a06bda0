using System.Device.I2c;
using System.Globalization;

namespace Gateway.Hardware.Linux;

/// <summary>
/// One device on a <see cref="LinuxI2cBus"/>. It shares the bus's descriptor (and its lock) with the other devices on
/// the bus; disposing it does not close the bus. Errors name it as <c>/dev/i2c-N@0xAA</c>. Empty buffers transfer
/// nothing.
/// </summary>
public sealed class LinuxI2cDevice : I2cDevice
{
    private readonly LinuxI2cBus _bus;
    private volatile bool _disposed;

    internal LinuxI2cDevice(LinuxI2cBus bus, I2cConnectionSettings settings)
    {
        _bus = bus;
        ConnectionSettings = settings;
        Name = string.Create(CultureInfo.InvariantCulture, $"{bus.DevicePath}@0x{settings.DeviceAddress:X2}");
    }

    /// <inheritdoc/>
    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>The device as errors name it, e.g. <c>/dev/i2c-1@0x76</c>.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public override void Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _bus.Transfer(ConnectionSettings.DeviceAddress, [], buffer, Name);
    }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _bus.Transfer(ConnectionSettings.DeviceAddress, buffer, [], Name);
    }

    /// <inheritdoc/>
    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _bus.Transfer(ConnectionSettings.DeviceAddress, writeBuffer, readBuffer, Name);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }
}
