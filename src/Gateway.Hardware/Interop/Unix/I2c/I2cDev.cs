namespace Gateway.Hardware.Interop;

/// <summary>
/// i2c-dev (include/uapi/linux/i2c-dev.h, i2c.h; Documentation/i2c/dev-interface.rst): request numbers (plain
/// numbers, not _IOC-encoded), message flags and limits.
/// </summary>
internal static class I2cDev
{
    /// <summary>I2C_RETRIES: times a device address is polled when not acknowledging.</summary>
    internal const uint I2C_RETRIES = 0x0701;

    /// <summary>I2C_TIMEOUT: adapter timeout, in units of 10 ms.</summary>
    internal const uint I2C_TIMEOUT = 0x0702;

    /// <summary>I2C_SLAVE: the address read()/write() talk to (EBUSY if a kernel driver owns it).</summary>
    internal const uint I2C_SLAVE = 0x0703;

    /// <summary>I2C_TENBIT: 10-bit addresses.</summary>
    internal const uint I2C_TENBIT = 0x0704;

    /// <summary>I2C_FUNCS: writes the adapter's functionality mask (an unsigned long).</summary>
    internal const uint I2C_FUNCS = 0x0705;

    /// <summary>I2C_SLAVE_FORCE: as I2C_SLAVE, even when a kernel driver owns the address.</summary>
    internal const uint I2C_SLAVE_FORCE = 0x0706;

    /// <summary>I2C_RDWR: combined transfer of i2c_msg's, repeated start between them, one STOP at the end.</summary>
    internal const uint I2C_RDWR = 0x0707;

    /// <summary>I2C_PEC: SMBus packet error checking.</summary>
    internal const uint I2C_PEC = 0x0708;

    /// <summary>I2C_SMBUS: one SMBus transfer.</summary>
    internal const uint I2C_SMBUS = 0x0720;

    /// <summary>I2C_M_RD: the message reads from the device.</summary>
    internal const ushort I2C_M_RD = 0x0001;

    /// <summary>I2C_M_TEN: 10-bit address.</summary>
    internal const ushort I2C_M_TEN = 0x0010;

    /// <summary>I2C_M_RECV_LEN: the first byte read is the length of the rest (SMBus block read).</summary>
    internal const ushort I2C_M_RECV_LEN = 0x0400;

    /// <summary>I2C_M_NOSTART: no (repeated) start before this message.</summary>
    internal const ushort I2C_M_NOSTART = 0x4000;

    /// <summary>I2C_M_STOP: a STOP after this message.</summary>
    internal const ushort I2C_M_STOP = 0x8000;

    /// <summary>I2C_FUNC_I2C: the adapter does plain I2C transfers (I2C_RDWR, read(), write()).</summary>
    internal const ulong I2C_FUNC_I2C = 0x00000001;

    /// <summary>I2C_FUNC_SMBUS_READ_BYTE: SMBus receive byte (no command).</summary>
    internal const ulong I2C_FUNC_SMBUS_READ_BYTE = 0x00020000;

    /// <summary>I2C_FUNC_SMBUS_WRITE_BYTE: SMBus send byte (the command is the byte).</summary>
    internal const ulong I2C_FUNC_SMBUS_WRITE_BYTE = 0x00040000;

    /// <summary>I2C_FUNC_SMBUS_READ_BYTE_DATA: SMBus read byte (command, then one byte after a repeated start).</summary>
    internal const ulong I2C_FUNC_SMBUS_READ_BYTE_DATA = 0x00080000;

    /// <summary>I2C_FUNC_SMBUS_WRITE_BYTE_DATA: SMBus write byte (command, one byte).</summary>
    internal const ulong I2C_FUNC_SMBUS_WRITE_BYTE_DATA = 0x00100000;

    /// <summary>I2C_FUNC_SMBUS_READ_WORD_DATA: SMBus read word (command, then low byte, high byte).</summary>
    internal const ulong I2C_FUNC_SMBUS_READ_WORD_DATA = 0x00200000;

    /// <summary>I2C_FUNC_SMBUS_WRITE_WORD_DATA: SMBus write word (command, low byte, high byte).</summary>
    internal const ulong I2C_FUNC_SMBUS_WRITE_WORD_DATA = 0x00400000;

    /// <summary>I2C_FUNC_SMBUS_READ_I2C_BLOCK: I2C block read (command, then 1–32 bytes after a repeated start, no count byte).</summary>
    internal const ulong I2C_FUNC_SMBUS_READ_I2C_BLOCK = 0x04000000;

    /// <summary>I2C_FUNC_SMBUS_WRITE_I2C_BLOCK: I2C block write (command, then 1–32 bytes, no count byte).</summary>
    internal const ulong I2C_FUNC_SMBUS_WRITE_I2C_BLOCK = 0x08000000;

    /// <summary>I2C_SMBUS_READ: i2c_smbus_ioctl_data.read_write of a read.</summary>
    internal const byte I2C_SMBUS_READ = 1;

    /// <summary>I2C_SMBUS_WRITE: i2c_smbus_ioctl_data.read_write of a write.</summary>
    internal const byte I2C_SMBUS_WRITE = 0;

    /// <summary>I2C_SMBUS_BYTE: send byte / receive byte.</summary>
    internal const uint I2C_SMBUS_BYTE = 1;

    /// <summary>I2C_SMBUS_BYTE_DATA: write byte / read byte, with a command.</summary>
    internal const uint I2C_SMBUS_BYTE_DATA = 2;

    /// <summary>I2C_SMBUS_WORD_DATA: write word / read word, with a command.</summary>
    internal const uint I2C_SMBUS_WORD_DATA = 3;

    /// <summary>I2C_SMBUS_I2C_BLOCK_DATA: I2C block write / read; block[0] is the length, also of a read (set by the caller).</summary>
    internal const uint I2C_SMBUS_I2C_BLOCK_DATA = 8;

    /// <summary>I2C_SMBUS_BLOCK_MAX: most data bytes in one block transfer.</summary>
    internal const int I2C_SMBUS_BLOCK_MAX = 32;

    /// <summary>I2C_RDWR_IOCTL_MAX_MSGS: most messages in one I2C_RDWR.</summary>
    internal const int I2C_RDWR_IOCTL_MAX_MSGS = 42;

    /// <summary>
    /// Longest message i2c-dev takes: I2C_RDWR refuses longer ones with EINVAL, read()/write() silently shorten them
    /// (drivers/i2c/i2c-dev.c), so longer transfers are refused before the call.
    /// </summary>
    internal const int MaxMessageLength = 8192;
}
