namespace Gateway.Hardware.Devices.Sht3x;

/// <summary>SHT3x-DIS commands (datasheet §4.3 table 9, §4.9 soft reset, §4.10 heater, §4.11 status); sent MSB first.</summary>
public enum Sht3xCommand : ushort
{
    /// <summary>Single shot, high repeatability, clock stretching disabled.</summary>
    SingleShotHigh = 0x2400,

    /// <summary>Single shot, medium repeatability, clock stretching disabled.</summary>
    SingleShotMedium = 0x240B,

    /// <summary>Single shot, low repeatability, clock stretching disabled.</summary>
    SingleShotLow = 0x2416,

    /// <summary>Single shot, high repeatability, clock stretching enabled (not used by this binding).</summary>
    SingleShotHighClockStretching = 0x2C06,

    /// <summary>Single shot, medium repeatability, clock stretching enabled.</summary>
    SingleShotMediumClockStretching = 0x2C0D,

    /// <summary>Single shot, low repeatability, clock stretching enabled.</summary>
    SingleShotLowClockStretching = 0x2C10,

    /// <summary>Soft reset (§4.9): the chip reloads its calibration and returns to idle.</summary>
    SoftReset = 0x30A2,

    /// <summary>Heater on (§4.10).</summary>
    HeaterEnable = 0x306D,

    /// <summary>Heater off (§4.10).</summary>
    HeaterDisable = 0x3066,

    /// <summary>Read the status register (§4.11): 16 bits and a CRC.</summary>
    ReadStatus = 0xF32D,
}

/// <summary>Measurement repeatability (datasheet §4.3 table 9; durations table 4): higher is less noisy and slower.</summary>
public enum Sht3xRepeatability
{
    /// <summary>High: 0x2400, 15.5 ms max.</summary>
    High,

    /// <summary>Medium: 0x240B, 6.5 ms max.</summary>
    Medium,

    /// <summary>Low: 0x2416, 4.5 ms max.</summary>
    Low,
}
