using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>i2c-dev (include/uapi/linux/i2c-dev.h, i2c.h): request numbers, message flags and structs.</summary>
internal static class I2cDev
{
    public const uint I2C_RETRIES = 0x0701;
    public const uint I2C_TIMEOUT = 0x0702;
    public const uint I2C_SLAVE = 0x0703;
    public const uint I2C_TENBIT = 0x0704;
    public const uint I2C_FUNCS = 0x0705;
    public const uint I2C_SLAVE_FORCE = 0x0706;
    public const uint I2C_RDWR = 0x0707;
    public const uint I2C_PEC = 0x0708;
    public const uint I2C_SMBUS = 0x0720;

    public const ushort I2C_M_RD = 0x0001;
    public const ushort I2C_M_TEN = 0x0010;
    public const ushort I2C_M_RECV_LEN = 0x0400;
    public const ushort I2C_M_NOSTART = 0x4000;
    public const ushort I2C_M_STOP = 0x8000;

    public const ulong I2C_FUNC_I2C = 0x00000001;

    /// <summary>Most messages one I2C_RDWR call takes (I2C_RDWR_IOCTL_MAX_MSGS).</summary>
    public const int MaxMessages = 42;

    /// <summary>struct i2c_msg: addr, flags, len, then the buffer pointer (16 bytes on 64-bit, 12 on 32-bit; buf at 8).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct I2cMsg
    {
        public ushort Addr;
        public ushort Flags;
        public ushort Len;
        public nint Buf;
    }

    /// <summary>struct i2c_rdwr_ioctl_data: the message array and its length.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct I2cRdwrIoctlData
    {
        public nint Msgs;
        public uint NMsgs;
    }
}
