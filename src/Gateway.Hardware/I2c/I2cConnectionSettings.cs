namespace Gateway.Hardware.I2c;

/// <summary>Which bus and 7-bit address a device sits on (as System.Device.I2c's <c>I2cConnectionSettings</c>).</summary>
public sealed record I2cConnectionSettings
{
    /// <summary>Creates settings; the address must be a 7-bit address outside the reserved ranges (0x08–0x77).</summary>
    public I2cConnectionSettings(int busId, int deviceAddress)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(busId);
        if (deviceAddress is < 0x08 or > 0x77)
        {
            // I2C specification (UM10204) §3.1.12: 0x00–0x07 and 0x78–0x7F are reserved.
            throw new ArgumentOutOfRangeException(nameof(deviceAddress), deviceAddress, "a 7-bit I2C address from 0x08 to 0x77");
        }

        BusId = busId;
        DeviceAddress = deviceAddress;
    }

    /// <summary>The bus number, N in <c>/dev/i2c-N</c>.</summary>
    public int BusId { get; }

    /// <summary>The 7-bit device address.</summary>
    public int DeviceAddress { get; }

    /// <inheritdoc/>
    public override string ToString() => $"i2c-{BusId}@0x{DeviceAddress:X2}";
}
