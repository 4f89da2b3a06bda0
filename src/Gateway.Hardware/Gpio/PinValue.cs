namespace Gateway.Hardware.Gpio;

/// <summary>The logical level of a line (as System.Device.Gpio's <c>PinValue</c>).</summary>
public enum PinValue
{
    /// <summary>Low (0).</summary>
    Low = 0,

    /// <summary>High (1).</summary>
    High = 1,
}
