using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// struct i2c_rdwr_ioctl_data (include/uapi/linux/i2c-dev.h): <c>{ struct i2c_msg *msgs; __u32 nmsgs; }</c>, I2C_RDWR's
/// argument. nmsgs follows the pointer, so its offset is the pointer size: 16 bytes (nmsgs at 8) on 64-bit,
/// 8 bytes (nmsgs at 4) on arm32. Sequential layout gives exactly that on both.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct i2c_rdwr_ioctl_data
{
    /// <summary>The messages (a pointer to i2c_msg[nmsgs]).</summary>
    public nint msgs;

    /// <summary>How many (at most I2C_RDWR_IOCTL_MAX_MSGS).</summary>
    public uint nmsgs;
}
