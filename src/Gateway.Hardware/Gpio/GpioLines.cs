using System.Device.Gpio;

namespace Gateway.Hardware.Gpio;

/// <summary>
/// Checks the gateway's drivers share. System.Device.Gpio's <see cref="GpioController"/> passes line numbers to the
/// driver unchecked and, in 4.2.0, ignores a write to a line that is not an output; the drivers refuse both, with the
/// chip and line in the message.
/// </summary>
public static class GpioLines
{
    /// <summary>Throws unless <paramref name="pinNumber"/> is a line of a chip with <paramref name="pinCount"/> lines.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    public static void CheckPin(int pinNumber, int pinCount, string chipName)
    {
        if (pinNumber < 0 || pinNumber >= pinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"{chipName} has lines 0 to {pinCount - 1}");
        }
    }

    /// <summary>Throws unless the line is an output.</summary>
    /// <exception cref="InvalidOperationException">It is an input.</exception>
    public static void CheckWritable(PinMode mode, int pinNumber, string chipName)
    {
        if (mode != PinMode.Output)
        {
            throw new InvalidOperationException($"{chipName} line {pinNumber} is not an output");
        }
    }

    /// <summary>Throws unless the line is an input (edges and debounce need one).</summary>
    /// <exception cref="InvalidOperationException">It is an output.</exception>
    public static void CheckInput(PinMode mode, int pinNumber, string chipName)
    {
        if (mode == PinMode.Output)
        {
            throw new InvalidOperationException($"{chipName} line {pinNumber} is an output; edges are reported for inputs");
        }
    }
}
