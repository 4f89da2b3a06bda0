namespace Gateway.Hardware.Gpio;

/// <summary>Which edges of a line to report (as System.Device.Gpio's <c>PinEventTypes</c>).</summary>
[Flags]
public enum PinEventTypes
{
    /// <summary>No edges.</summary>
    None = 0,

    /// <summary>Low to high.</summary>
    Rising = 1,

    /// <summary>High to low.</summary>
    Falling = 2,
}
