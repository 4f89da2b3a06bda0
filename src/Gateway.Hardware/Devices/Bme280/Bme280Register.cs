namespace Gateway.Hardware.Devices.Bme280;

/// <summary>BME280 registers (datasheet BST-BME280-DS002 §5.3, memory map table 18).</summary>
public enum Bme280Register : byte
{
    /// <summary>First calibration byte, dig_T1 LSB (0x88–0xA1).</summary>
    Calib00 = 0x88,

    /// <summary>Chip id, reads 0x60.</summary>
    Id = 0xD0,

    /// <summary>Soft reset: write 0xB6.</summary>
    Reset = 0xE0,

    /// <summary>Second calibration block, dig_H2 LSB (0xE1–0xE7).</summary>
    Calib26 = 0xE1,

    /// <summary>Humidity oversampling, osrs_h[2:0]; takes effect after a write to ctrl_meas.</summary>
    CtrlHum = 0xF2,

    /// <summary>Status: measuring[3], im_update[0].</summary>
    Status = 0xF3,

    /// <summary>osrs_t[7:5], osrs_p[4:2], mode[1:0].</summary>
    CtrlMeas = 0xF4,

    /// <summary>t_sb[7:5], filter[4:2], spi3w_en[0].</summary>
    Config = 0xF5,

    /// <summary>Start of the data burst: press_msb (0xF7–0xFE: pressure, temperature, humidity).</summary>
    PressMsb = 0xF7,
}

/// <summary>Oversampling settings (datasheet §5.4.3–5.4.5): the register code is the enum value.</summary>
public enum Bme280Oversampling : byte
{
    /// <summary>Measurement skipped (output 0x80000 / 0x8000).</summary>
    Skipped = 0b000,

    /// <summary>×1.</summary>
    X1 = 0b001,

    /// <summary>×2.</summary>
    X2 = 0b010,

    /// <summary>×4.</summary>
    X4 = 0b011,

    /// <summary>×8.</summary>
    X8 = 0b100,

    /// <summary>×16.</summary>
    X16 = 0b101,
}
