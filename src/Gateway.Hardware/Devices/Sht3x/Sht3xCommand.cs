namespace Gateway.Hardware.Devices.Sht3x;

/// <summary>SHT3x-DIS commands (datasheet §4.3 table 9, §4.9, §4.10, §4.11); sent MSB first.</summary>
public enum Sht3xCommand : ushort
{
    /// <summary>Single shot, high repeatability, clock stretching disabled.</summary>
    SingleShotHigh = 0x2400,

    /// <summary>Single shot, medium repeatability, clock stretching disabled.</summary>
    SingleShotMedium = 0x240B,

    /// <summary>Single shot, low repeatability, clock stretching disabled.</summary>
    SingleShotLow = 0x2416,

    /// <summary>Soft reset.</summary>
    SoftReset = 0x30A2,

    /// <summary>Read the status register.</summary>
    ReadStatus = 0xF32D,
}

/// <summary>Measurement repeatability (datasheet table 4): higher is less noisy and slower.</summary>
public enum Sht3xRepeatability
{
    /// <summary>High: 15.5 ms max.</summary>
    High,

    /// <summary>Medium: 6.5 ms max.</summary>
    Medium,

    /// <summary>Low: 4.5 ms max.</summary>
    Low,
}
