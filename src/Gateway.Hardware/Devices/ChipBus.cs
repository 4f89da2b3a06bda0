using System.Device.I2c;
using Gateway.Hardware.I2c;

namespace Gateway.Hardware.Devices;

/// <summary>
/// The I2C transfers of one binding, each named for what the binding is doing, so that a bus failure comes out as
/// the same typed exception with the chip and the step in its message (see <see cref="DeviceErrors"/>).
/// </summary>
internal sealed class ChipBus : IDisposable
{
    private readonly I2cDevice _device;
    private readonly string _description;

    /// <summary>Wraps <paramref name="device"/> for the binding described as <paramref name="description"/>.</summary>
    public ChipBus(I2cDevice device, string description)
    {
        _device = device;
        _description = description;
        Location = I2cAddresses.Describe(device.ConnectionSettings);
    }

    /// <summary>Bus and address, e.g. <c>i2c-1@0x76</c>.</summary>
    public string Location { get; }

    /// <summary>Writes <paramref name="data"/> in one transaction.</summary>
    public void Write(ReadOnlySpan<byte> data, string operation)
    {
        try
        {
            _device.Write(data);
        }
        catch (HardwareException ex)
        {
            throw Named(ex, operation);
        }
    }

    /// <summary>Reads <c>buffer.Length</c> bytes in one transaction.</summary>
    public void Read(Span<byte> buffer, string operation)
    {
        try
        {
            _device.Read(buffer);
        }
        catch (HardwareException ex)
        {
            throw Named(ex, operation);
        }
    }

    /// <summary>Writes then reads with a repeated start (a register read).</summary>
    public void WriteRead(ReadOnlySpan<byte> write, Span<byte> read, string operation)
    {
        try
        {
            _device.WriteRead(write, read);
        }
        catch (HardwareException ex)
        {
            throw Named(ex, operation);
        }
    }

    /// <summary>Reads one register.</summary>
    public byte ReadRegister(byte register, string operation)
    {
        Span<byte> value = stackalloc byte[1];
        WriteRead([register], value, operation);
        return value[0];
    }

    /// <summary>Releases the device.</summary>
    public void Dispose() => _device.Dispose();

    private HardwareException Named(HardwareException ex, string operation) => DeviceErrors.Named(ex, _description, Location, operation);
}
