namespace Gateway.Hardware.Devices.Ads1115;

/// <summary>ADS1115 address-pointer register values, P[1:0] (datasheet SBAS444 §9.6.1).</summary>
public enum Ads1115Register : byte
{
    /// <summary>Conversion register: the last result, signed 16-bit, MSB first (§9.6.2).</summary>
    Conversion = 0x00,

    /// <summary>Config register (§9.6.3), reset value 0x8583.</summary>
    Config = 0x01,

    /// <summary>Lo_thresh register (§9.6.4).</summary>
    LoThresh = 0x02,

    /// <summary>Hi_thresh register (§9.6.4).</summary>
    HiThresh = 0x03,
}

/// <summary>Programmable gain amplifier: full-scale range, PGA[11:9] of the config register (datasheet §9.3.3, §9.6.3); the value is PGA[2:0].</summary>
public enum Ads1115Gain : byte
{
    /// <summary>000: ±6.144 V.</summary>
    Fsr6144 = 0b000,

    /// <summary>001: ±4.096 V.</summary>
    Fsr4096 = 0b001,

    /// <summary>010: ±2.048 V (power-on default).</summary>
    Fsr2048 = 0b010,

    /// <summary>011: ±1.024 V.</summary>
    Fsr1024 = 0b011,

    /// <summary>100: ±0.512 V.</summary>
    Fsr0512 = 0b100,

    /// <summary>101: ±0.256 V (110 and 111 are the same).</summary>
    Fsr0256 = 0b101,
}

/// <summary>Data rate, DR[7:5] of the config register (datasheet §9.6.3); the value is DR[2:0].</summary>
public enum Ads1115DataRate : byte
{
    /// <summary>000: 8 samples per second.</summary>
    Sps8 = 0b000,

    /// <summary>001: 16 SPS.</summary>
    Sps16 = 0b001,

    /// <summary>010: 32 SPS.</summary>
    Sps32 = 0b010,

    /// <summary>011: 64 SPS.</summary>
    Sps64 = 0b011,

    /// <summary>100: 128 SPS (power-on default).</summary>
    Sps128 = 0b100,

    /// <summary>101: 250 SPS.</summary>
    Sps250 = 0b101,

    /// <summary>110: 475 SPS.</summary>
    Sps475 = 0b110,

    /// <summary>111: 860 SPS.</summary>
    Sps860 = 0b111,
}
