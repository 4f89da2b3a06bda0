using System.Device.Gpio;

namespace Gateway.Hardware.Remote;

/// <summary>
/// The outside view of a simulated board's GPIO lines (like gpio-sim's <c>sim_gpioN/value</c>): what level a line is at
/// now, whoever drives it — so tests and operators can see what an output really does, not what the gateway believes.
/// </summary>
public interface ILineProbe
{
    /// <summary>The level line <paramref name="pin"/> of chip <paramref name="chip"/> is at now.</summary>
    /// <exception cref="ArgumentException">No such chip or line.</exception>
    PinValue LineLevel(int chip, int pin);
}
