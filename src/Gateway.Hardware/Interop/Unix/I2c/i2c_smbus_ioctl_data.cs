using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// struct i2c_smbus_ioctl_data (include/uapi/linux/i2c-dev.h): <c>{ __u8 read_write; __u8 command; __u32 size;
/// union i2c_smbus_data *data; }</c>, I2C_SMBUS's argument. size is 4-aligned and the pointer aligned to its size:
/// read_write at 0, command at 1, size at 4, data at 8; 16 bytes on 64-bit, 12 on arm32. Sequential layout gives
/// exactly that on both.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct i2c_smbus_ioctl_data
{
    /// <summary><see cref="I2cDev.I2C_SMBUS_READ"/> or <see cref="I2cDev.I2C_SMBUS_WRITE"/>.</summary>
    public byte read_write;

    /// <summary>The command (register) byte; for a send byte, the byte itself.</summary>
    public byte command;

    /// <summary>The transaction: I2C_SMBUS_BYTE, _BYTE_DATA, _WORD_DATA, _I2C_BLOCK_DATA …</summary>
    public uint size;

    /// <summary>A pointer to the <see cref="i2c_smbus_data"/> (null for a send byte).</summary>
    public nint data;
}
