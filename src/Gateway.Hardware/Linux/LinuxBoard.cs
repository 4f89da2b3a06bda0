using System.Device.Gpio;
using System.Device.I2c;
using System.Globalization;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.OneWire;

namespace Gateway.Hardware.Linux;

/// <summary>
/// The board's devices through the Linux kernel: GPIO chips at <c>/dev/gpiochipN</c> (uAPI v2), I2C adapters at
/// <c>/dev/i2c-N</c> (i2c-dev) and 1-Wire slaves in the w1 sysfs tree. Holds nothing itself: each chip or bus opened
/// belongs to its caller.
/// </summary>
public sealed class LinuxBoard : IHardwareBoard
{
    private readonly SysfsOneWireBus _oneWire;

    /// <summary>Uses the w1 sysfs tree at <paramref name="oneWireRoot"/>.</summary>
    /// <param name="oneWireRoot">The w1 devices folder, <see cref="SysfsOneWireBus.DefaultRoot"/> on a real board.</param>
    public LinuxBoard(string oneWireRoot = SysfsOneWireBus.DefaultRoot) => _oneWire = new SysfsOneWireBus(oneWireRoot);

    /// <inheritdoc/>
    public string Description => $"Linux (/dev/gpiochipN, /dev/i2c-N, {_oneWire.Root})";

    /// <inheritdoc/>
    public IOneWireBus OneWire => _oneWire;

    /// <inheritdoc/>
    /// <exception cref="DeviceNotFoundException">There is no <c>/dev/gpiochipN</c>.</exception>
    public GpioChipController OpenGpioChip(int chip)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chip);
        return new GpioChipController(new LinuxGpioDriver(string.Create(CultureInfo.InvariantCulture, $"/dev/gpiochip{chip}")));
    }

    /// <inheritdoc/>
    /// <exception cref="DeviceNotFoundException">There is no <c>/dev/i2c-N</c> (I2C not enabled).</exception>
    public I2cBus OpenI2cBus(int busId) => new LinuxI2cBus(busId);

    /// <inheritdoc/>
    public void Dispose()
    {
        // Nothing to release: chips and buses are disposed by whoever opened them.
    }
}
