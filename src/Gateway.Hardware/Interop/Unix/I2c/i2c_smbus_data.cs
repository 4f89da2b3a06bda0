using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// union i2c_smbus_data (include/uapi/linux/i2c.h): <c>{ __u8 byte; __u16 word; __u8 block[I2C_SMBUS_BLOCK_MAX + 2]; }</c>,
/// 34 bytes. For block transfers block[0] is the length and the data follow from block[1]; i2c-dev copies all 34
/// bytes in and out.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 34)]
internal unsafe struct i2c_smbus_data
{
    /// <summary>Byte transfers.</summary>
    [FieldOffset(0)]
    public byte @byte;

    /// <summary>Word transfers (the low byte goes first on the wire).</summary>
    [FieldOffset(0)]
    public ushort word;

    /// <summary>Block transfers: the length, then the data.</summary>
    [FieldOffset(0)]
    public fixed byte block[I2cDev.I2C_SMBUS_BLOCK_MAX + 2];
}
