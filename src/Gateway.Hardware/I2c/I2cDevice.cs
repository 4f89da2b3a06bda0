namespace Gateway.Hardware.I2c;

/// <summary>
/// One device on an I2C bus (as System.Device.I2c's <c>I2cDevice</c>). Bindings depend only on this class, so the
/// same binding runs on Linux's i2c-dev and on the simulator. Failures are <see cref="HardwareException"/>s:
/// <see cref="BusNackException"/> when the device does not acknowledge, <see cref="BusTimeoutException"/> on a stuck bus.
/// </summary>
public abstract class I2cDevice : IDisposable
{
    /// <summary>Bus and address of this device.</summary>
    public abstract I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>Reads <c>buffer.Length</c> bytes in one transaction.</summary>
    public abstract void Read(Span<byte> buffer);

    /// <summary>Writes the bytes in one transaction.</summary>
    public abstract void Write(ReadOnlySpan<byte> buffer);

    /// <summary>Writes then reads with a repeated start between (no STOP), as register reads need.</summary>
    public abstract void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer);

    /// <summary>Reads one byte.</summary>
    public byte ReadByte()
    {
        Span<byte> b = stackalloc byte[1];
        Read(b);
        return b[0];
    }

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value) => Write([value]);

    /// <summary>Releases the device.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
