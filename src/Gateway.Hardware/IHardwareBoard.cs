using System.Device.Gpio;
using System.Device.I2c;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.OneWire;

namespace Gateway.Hardware;

/// <summary>
/// The board's buses as one backend provides them: the Linux kernel interfaces, the in-process simulator,
/// or a firmware-sim process. The gateway picks one by configuration; bindings never know which. The contract is
/// System.Device.Gpio's: a chip is a <see cref="GpioController"/> over a <see cref="GpioDriver"/>, a bus an
/// <see cref="I2cBus"/> of <see cref="I2cDevice"/>s, so dotnet/iot bindings run on every backend unchanged.
/// </summary>
public interface IHardwareBoard : IDisposable
{
    /// <summary>What this backend is, for logs (e.g. "Linux", "Simulated (scenario default.json, seed 42)").</summary>
    string Description { get; }

    /// <summary>Opens GPIO chip N (<c>/dev/gpiochipN</c> on Linux): the standard controller plus line names and debounce.</summary>
    GpioChipController OpenGpioChip(int chip);

    /// <summary>Opens I2C bus N (<c>/dev/i2c-N</c> on Linux).</summary>
    I2cBus OpenI2cBus(int busId);

    /// <summary>The 1-Wire slaves.</summary>
    IOneWireBus OneWire { get; }
}
