namespace Gateway.Hardware.Gpio;

/// <summary>How a GPIO line is configured (as System.Device.Gpio's <c>PinMode</c>).</summary>
public enum PinMode
{
    /// <summary>Input, bias left as the board has it.</summary>
    Input,

    /// <summary>Push-pull output.</summary>
    Output,

    /// <summary>Input with the internal pull-up enabled.</summary>
    InputPullUp,

    /// <summary>Input with the internal pull-down enabled.</summary>
    InputPullDown,
}
