namespace Gateway.Hardware.Devices.Bh1750;

/// <summary>BH1750FVI instructions (datasheet "Instruction Set Architecture", p.5); one opcode per transaction.</summary>
public enum Bh1750Instruction : byte
{
    /// <summary>Power Down: no active state.</summary>
    PowerDown = 0x00,

    /// <summary>Power On: waiting for a measurement command.</summary>
    PowerOn = 0x01,

    /// <summary>Reset: clears the data register (only accepted when powered on).</summary>
    Reset = 0x07,

    /// <summary>Continuously H-Resolution Mode (1 lx, typ. 120 ms).</summary>
    ContinuousHighRes = 0x10,

    /// <summary>Continuously H-Resolution Mode2 (0.5 lx, typ. 120 ms).</summary>
    ContinuousHighRes2 = 0x11,

    /// <summary>Continuously L-Resolution Mode (4 lx, typ. 16 ms).</summary>
    ContinuousLowRes = 0x13,

    /// <summary>One Time H-Resolution Mode: one measurement, then power down.</summary>
    OneTimeHighRes = 0x20,

    /// <summary>One Time H-Resolution Mode2: one measurement at 0.5 lx, then power down.</summary>
    OneTimeHighRes2 = 0x21,

    /// <summary>One Time L-Resolution Mode: one measurement at 4 lx, then power down.</summary>
    OneTimeLowRes = 0x23,

    /// <summary>Change Measurement time (High bit): 01000_MT[7:5].</summary>
    MeasurementTimeHigh = 0x40,

    /// <summary>Change Measurement time (Low bit): 011_MT[4:0].</summary>
    MeasurementTimeLow = 0x60,
}

/// <summary>Resolution of the one-time measurement (datasheet "Measurement mode explanation", p.5).</summary>
public enum Bh1750Resolution
{
    /// <summary>H-Resolution Mode: 1 lx steps, 180 ms max at the default MTreg.</summary>
    High,

    /// <summary>H-Resolution Mode2: 0.5 lx steps (the count is halved), 180 ms max at the default MTreg.</summary>
    High2,

    /// <summary>L-Resolution Mode: 4 lx steps, 24 ms max at the default MTreg.</summary>
    Low,
}
