using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// struct i2c_msg (include/uapi/linux/i2c.h): <c>{ __u16 addr; __u16 flags; __u16 len; __u8 *buf; }</c>. The
/// pointer is aligned to its size, so it sits at 8 on both ABIs: 16 bytes with 8-byte pointers (arm64, x86_64),
/// 12 bytes with 4-byte pointers (arm32). The explicit offset pins buf at 8; the size follows <see cref="nint"/>.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
internal struct i2c_msg
{
    /// <summary>7-bit address (10-bit with I2C_M_TEN).</summary>
    [FieldOffset(0)]
    public ushort addr;

    /// <summary>I2C_M_* flags.</summary>
    [FieldOffset(2)]
    public ushort flags;

    /// <summary>Bytes to read or write.</summary>
    [FieldOffset(4)]
    public ushort len;

    /// <summary>The bytes (a pointer; the caller keeps them pinned for the call).</summary>
    [FieldOffset(8)]
    public nint buf;
}
