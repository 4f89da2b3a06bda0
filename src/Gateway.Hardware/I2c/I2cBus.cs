namespace Gateway.Hardware.I2c;

/// <summary>An I2C bus (as System.Device.I2c's <c>I2cBus</c>): creates devices at addresses on it.</summary>
public abstract class I2cBus : IDisposable
{
    /// <summary>The bus number.</summary>
    public abstract int BusId { get; }

    /// <summary>Creates a device at a 7-bit address (0x08–0x77). Nothing is sent until the device is used.</summary>
    public abstract I2cDevice CreateDevice(int deviceAddress);

    /// <summary>Releases the bus.</summary>
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
