using System.Globalization;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.I2c;
using Gateway.Hardware.OneWire;

namespace Gateway.Hardware.Linux;

/// <summary>The board's real devices through the Linux kernel: <c>/dev/gpiochipN</c>, <c>/dev/i2c-N</c> and the w1 sysfs tree.</summary>
public sealed class LinuxBoard : IHardwareBoard
{
    /// <summary>Uses the w1 sysfs tree at <paramref name="oneWireRoot"/>.</summary>
    public LinuxBoard(string oneWireRoot = SysfsOneWireBus.DefaultRoot) => OneWire = new SysfsOneWireBus(oneWireRoot);

    /// <inheritdoc/>
    public string Description => $"Linux (/dev/gpiochipN, /dev/i2c-N, {((SysfsOneWireBus)OneWire).Root})";

    /// <inheritdoc/>
    public IOneWireBus OneWire { get; }

    /// <inheritdoc/>
    public GpioController OpenGpioChip(int chip) =>
        new(new LinuxGpioDriver(string.Create(CultureInfo.InvariantCulture, $"/dev/gpiochip{chip}")));

    /// <inheritdoc/>
    public I2cBus OpenI2cBus(int busId) => new LinuxI2cBus(busId);

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
