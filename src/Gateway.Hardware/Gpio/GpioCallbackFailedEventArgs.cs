using System.Globalization;

namespace Gateway.Hardware.Gpio;

/// <summary>
/// An edge callback threw (see <see cref="GpioLineDriver.CallbackFailed"/>): which line, what it threw, and how many
/// times callbacks on that line have thrown so far. The edge still went to the line's other callbacks.
/// </summary>
public sealed class GpioCallbackFailedEventArgs : EventArgs
{
    /// <summary>Creates the report.</summary>
    /// <param name="chipName">The chip, e.g. <c>/dev/gpiochip0 (pinctrl-bcm2711)</c>.</param>
    /// <param name="pinNumber">The line's offset.</param>
    /// <param name="lineName">The line's name from the chip, or null.</param>
    /// <param name="exception">What the callback threw.</param>
    /// <param name="failures">Failures on this line so far, this one included.</param>
    public GpioCallbackFailedEventArgs(string chipName, int pinNumber, string? lineName, Exception exception, long failures)
    {
        ArgumentNullException.ThrowIfNull(chipName);
        ArgumentNullException.ThrowIfNull(exception);
        ChipName = chipName;
        PinNumber = pinNumber;
        LineName = lineName;
        Exception = exception;
        Failures = failures;
    }

    /// <summary>The chip, e.g. <c>/dev/gpiochip0 (pinctrl-bcm2711)</c>.</summary>
    public string ChipName { get; }

    /// <summary>The line's offset.</summary>
    public int PinNumber { get; }

    /// <summary>The line's name from the chip (e.g. <c>GPIO17</c>), or null.</summary>
    public string? LineName { get; }

    /// <summary>What the callback threw.</summary>
    public Exception Exception { get; }

    /// <summary>How many times callbacks on this line have thrown since the driver was created, this one included.</summary>
    public long Failures { get; }

    /// <summary>The failure that will be reported next (10 × <see cref="Failures"/>).</summary>
    public long NextReportAt => GpioCallbackFailures.NextReport(Failures);

    /// <summary>One line for a log: the line, the exception, the count and when the next report comes.</summary>
    public string Message => string.Create(
        CultureInfo.InvariantCulture,
        $"an edge callback on {ChipName} line {PinNumber}{(LineName is null ? "" : $" ({LineName})")} threw {Exception.GetType().Name}: {Exception.Message}; " +
        $"failure {Failures} on this line; its other callbacks and later edges still run; reported again at failure {NextReportAt}");
}
