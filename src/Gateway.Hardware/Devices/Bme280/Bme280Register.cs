namespace Gateway.Hardware.Devices.Bme280;

/// <summary>BME280 registers (datasheet BST-BME280-DS002 §5.3, memory map table 18); names are the datasheet's.</summary>
public enum Bme280Register : byte
{
    /// <summary>calib00: first calibration byte, dig_T1 LSB (block 0x88–0xA1, §4.2.2 table 16).</summary>
    Calib00 = 0x88,

    /// <summary>id: chip id, reads 0x60 (§5.4.1).</summary>
    Id = 0xD0,

    /// <summary>reset: write 0xB6 for a power-on reset (§5.4.2).</summary>
    Reset = 0xE0,

    /// <summary>calib26: second calibration block, dig_H2 LSB (0xE1–0xE7, §4.2.2 table 16).</summary>
    Calib26 = 0xE1,

    /// <summary>ctrl_hum: humidity oversampling osrs_h[2:0]; takes effect only after a write to ctrl_meas (§5.4.3).</summary>
    CtrlHum = 0xF2,

    /// <summary>status: measuring[3], im_update[0] (§5.4.4).</summary>
    Status = 0xF3,

    /// <summary>ctrl_meas: osrs_t[7:5], osrs_p[4:2], mode[1:0] (§5.4.5).</summary>
    CtrlMeas = 0xF4,

    /// <summary>config: t_sb[7:5], filter[4:2], spi3w_en[0] (§5.4.6).</summary>
    Config = 0xF5,

    /// <summary>press_msb: start of the data burst 0xF7–0xFE (pressure, temperature, humidity; §5.4.7).</summary>
    PressMsb = 0xF7,

    /// <summary>temp_msb: raw temperature, 20 bits in 0xFA–0xFC (§5.4.8).</summary>
    TempMsb = 0xFA,

    /// <summary>hum_msb: raw humidity, 16 bits in 0xFD–0xFE (§5.4.9).</summary>
    HumMsb = 0xFD,
}

/// <summary>Bits of the status register 0xF3 (datasheet §5.4.4, table 21).</summary>
[Flags]
public enum Bme280Status : byte
{
    /// <summary>Idle, NVM copied.</summary>
    None = 0,

    /// <summary>im_update[0]: set while the NVM calibration data are copied to the image registers (after reset).</summary>
    ImUpdate = 0b0000_0001,

    /// <summary>measuring[3]: set while a conversion runs, cleared when the results are in the data registers.</summary>
    Measuring = 0b0000_1000,
}

/// <summary>Sensor mode, ctrl_meas mode[1:0] (datasheet §3.3 and §5.4.5, table 25).</summary>
public enum Bme280Mode : byte
{
    /// <summary>00: sleep, no measurements.</summary>
    Sleep = 0b00,

    /// <summary>01 (or 10): forced, one measurement then back to sleep.</summary>
    Forced = 0b01,

    /// <summary>11: normal, measuring periodically.</summary>
    Normal = 0b11,
}

/// <summary>Oversampling settings osrs_t / osrs_p / osrs_h (datasheet §5.4.3–5.4.5, tables 20, 23, 24): the register code is the enum value.</summary>
public enum Bme280Oversampling : byte
{
    /// <summary>000: measurement skipped (its data register keeps 0x80000 / 0x8000).</summary>
    Skipped = 0b000,

    /// <summary>001: ×1.</summary>
    X1 = 0b001,

    /// <summary>010: ×2.</summary>
    X2 = 0b010,

    /// <summary>011: ×4.</summary>
    X4 = 0b011,

    /// <summary>100: ×8.</summary>
    X8 = 0b100,

    /// <summary>101: ×16.</summary>
    X16 = 0b101,
}
