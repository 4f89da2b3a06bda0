using System.Device.I2c;
using System.Globalization;

namespace Gateway.Hardware.I2c;

/// <summary>
/// Address checks and names the gateway's I2C buses share. System.Device.I2c's <see cref="I2cConnectionSettings"/>
/// accepts any number; the buses refuse the reserved addresses when a device is created, and errors name a device
/// as <c>i2c-1@0x76</c>.
/// </summary>
public static class I2cAddresses
{
    /// <summary>Throws unless <paramref name="deviceAddress"/> is a 7-bit address outside the reserved ranges (0x08–0x77).</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static void Check(int deviceAddress)
    {
        if (deviceAddress is < 0x08 or > 0x77)
        {
            // I2C specification (UM10204) §3.1.12: 0x00–0x07 and 0x78–0x7F are reserved.
            throw new ArgumentOutOfRangeException(nameof(deviceAddress), deviceAddress, "a 7-bit I2C address from 0x08 to 0x77");
        }
    }

    /// <summary>The settings for a device at <paramref name="deviceAddress"/> on bus <paramref name="busId"/>, checked.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative bus, or a reserved address.</exception>
    public static I2cConnectionSettings Settings(int busId, int deviceAddress)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(busId);
        Check(deviceAddress);
        return new I2cConnectionSettings(busId, deviceAddress);
    }

    /// <summary>The device as messages name it, e.g. <c>i2c-1@0x76</c>.</summary>
    public static string Describe(I2cConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return string.Create(CultureInfo.InvariantCulture, $"i2c-{settings.BusId}@0x{settings.DeviceAddress:X2}");
    }
}
