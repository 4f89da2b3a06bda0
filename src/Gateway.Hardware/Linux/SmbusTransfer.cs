using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// The SMBus transaction that carries one I2C transaction on an adapter without I2C_FUNC_I2C (SMBus-only
/// controllers, i2c-stub), sent with the I2C_SMBUS ioctl (Documentation/i2c/smbus-protocol.rst, dev-interface.rst).
/// Only transactions whose bytes on the wire are exactly the I2C transaction's are chosen, so a binding reads the same
/// registers either way:
/// <list type="bullet">
/// <item>write [c] → send byte; write [c, d] → write byte data; write [c, d0, d1] → I2C block write (or write word
/// data, low byte first); write [c, d0 … d31] → I2C block write;</item>
/// <item>read [b] → receive byte;</item>
/// <item>write [c] then read 1 → read byte data; then read 2 → I2C block read (or read word data); then read up to 32
/// → I2C block read (all with a repeated start, as on I2C).</item>
/// </list>
/// Anything else (a multi-byte read without a command, a command of two bytes before a read, more than 32 data bytes)
/// has no SMBus form and is refused with a <see cref="HardwareException"/> (EOPNOTSUPP) saying so. Pure.
/// </summary>
/// <param name="ReadWrite"><see cref="I2cDev.I2C_SMBUS_READ"/> or <see cref="I2cDev.I2C_SMBUS_WRITE"/>.</param>
/// <param name="Size">The transaction type (I2C_SMBUS_BYTE …).</param>
/// <param name="Functionality">The I2C_FUNC_SMBUS_* bit the adapter must have for it.</param>
/// <param name="Name">The transaction's name in smbus-protocol.rst, for errors.</param>
internal readonly record struct SmbusTransfer(byte ReadWrite, uint Size, ulong Functionality, string Name)
{
    private static readonly SmbusTransfer SendByte = new(I2cDev.I2C_SMBUS_WRITE, I2cDev.I2C_SMBUS_BYTE, I2cDev.I2C_FUNC_SMBUS_WRITE_BYTE, "send byte");
    private static readonly SmbusTransfer ReceiveByte = new(I2cDev.I2C_SMBUS_READ, I2cDev.I2C_SMBUS_BYTE, I2cDev.I2C_FUNC_SMBUS_READ_BYTE, "receive byte");
    private static readonly SmbusTransfer WriteByteData = new(I2cDev.I2C_SMBUS_WRITE, I2cDev.I2C_SMBUS_BYTE_DATA, I2cDev.I2C_FUNC_SMBUS_WRITE_BYTE_DATA, "write byte");
    private static readonly SmbusTransfer ReadByteData = new(I2cDev.I2C_SMBUS_READ, I2cDev.I2C_SMBUS_BYTE_DATA, I2cDev.I2C_FUNC_SMBUS_READ_BYTE_DATA, "read byte");
    private static readonly SmbusTransfer WriteWordData = new(I2cDev.I2C_SMBUS_WRITE, I2cDev.I2C_SMBUS_WORD_DATA, I2cDev.I2C_FUNC_SMBUS_WRITE_WORD_DATA, "write word");
    private static readonly SmbusTransfer ReadWordData = new(I2cDev.I2C_SMBUS_READ, I2cDev.I2C_SMBUS_WORD_DATA, I2cDev.I2C_FUNC_SMBUS_READ_WORD_DATA, "read word");
    private static readonly SmbusTransfer WriteI2cBlock = new(I2cDev.I2C_SMBUS_WRITE, I2cDev.I2C_SMBUS_I2C_BLOCK_DATA, I2cDev.I2C_FUNC_SMBUS_WRITE_I2C_BLOCK, "I2C block write");
    private static readonly SmbusTransfer ReadI2cBlock = new(I2cDev.I2C_SMBUS_READ, I2cDev.I2C_SMBUS_I2C_BLOCK_DATA, I2cDev.I2C_FUNC_SMBUS_READ_I2C_BLOCK, "I2C block read");

    /// <summary>The SMBus transaction for writing <paramref name="writeLength"/> bytes and then reading <paramref name="readLength"/>.</summary>
    /// <param name="writeLength">Bytes written (the first is the command); at least one of the two lengths is non-zero.</param>
    /// <param name="readLength">Bytes read.</param>
    /// <param name="functionality">The adapter's I2C_FUNCS mask.</param>
    /// <param name="device">The device, for the error.</param>
    /// <exception cref="HardwareException">No SMBus transaction does this, or the adapter lacks the one that does (errno EOPNOTSUPP).</exception>
    public static SmbusTransfer For(int writeLength, int readLength, ulong functionality, string device)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(writeLength);
        ArgumentOutOfRangeException.ThrowIfNegative(readLength);
        var has = (ulong bit) => (functionality & bit) != 0;
        SmbusTransfer? transfer = (writeLength, readLength) switch
        {
            (1, 0) => SendByte,
            (2, 0) => WriteByteData,
            (3, 0) => has(WriteI2cBlock.Functionality) || !has(WriteWordData.Functionality) ? WriteI2cBlock : WriteWordData,
            ( > 3 and <= I2cDev.I2C_SMBUS_BLOCK_MAX + 1, 0) => WriteI2cBlock,
            (0, 1) => ReceiveByte,
            (1, 1) => ReadByteData,
            (1, 2) => has(ReadI2cBlock.Functionality) || !has(ReadWordData.Functionality) ? ReadI2cBlock : ReadWordData,
            (1, > 2 and <= I2cDev.I2C_SMBUS_BLOCK_MAX) => ReadI2cBlock,
            _ => null,
        };
        if (transfer is not { } t)
        {
            throw new HardwareException(
                $"{device}: the adapter speaks SMBus only (no I2C_FUNC_I2C), and no SMBus transaction writes {writeLength} byte(s) then reads {readLength} "
                + $"(SMBus reads need a one-byte command and at most {I2cDev.I2C_SMBUS_BLOCK_MAX} bytes; a read without a command is one byte)",
                device,
                Errno.EOPNOTSUPP);
        }

        if (!has(t.Functionality))
        {
            throw new HardwareException(
                $"{device}: the adapter speaks SMBus only (no I2C_FUNC_I2C) and cannot do an SMBus {t.Name} (I2C_FUNCS 0x{functionality:X8} lacks 0x{t.Functionality:X8}), "
                + $"which writing {writeLength} byte(s) then reading {readLength} needs",
                device,
                Errno.EOPNOTSUPP);
        }

        return t;
    }

    /// <summary>The ioctl argument's command byte: the first byte written (none for a receive byte).</summary>
    public static byte Command(ReadOnlySpan<byte> write) => write.IsEmpty ? (byte)0 : write[0];

    /// <summary>Fills <paramref name="data"/> for the call: the bytes after the command for a write; for an I2C block read the length wanted.</summary>
    public unsafe void Fill(i2c_smbus_data* data, ReadOnlySpan<byte> write, int readLength)
    {
        var payload = write.IsEmpty ? write : write[1..];
        switch (Size)
        {
            case I2cDev.I2C_SMBUS_BYTE_DATA when ReadWrite == I2cDev.I2C_SMBUS_WRITE:
                data->@byte = payload[0];
                break;
            case I2cDev.I2C_SMBUS_WORD_DATA when ReadWrite == I2cDev.I2C_SMBUS_WRITE:
                data->word = (ushort)(payload[0] | (payload[1] << 8)); // SMBus sends the low byte first (smbus-protocol.rst)
                break;
            case I2cDev.I2C_SMBUS_I2C_BLOCK_DATA when ReadWrite == I2cDev.I2C_SMBUS_WRITE:
                data->block[0] = (byte)payload.Length;
                payload.CopyTo(new Span<byte>(data->block + 1, I2cDev.I2C_SMBUS_BLOCK_MAX));
                break;
            case I2cDev.I2C_SMBUS_I2C_BLOCK_DATA:
                data->block[0] = (byte)readLength; // i2c-dev copies the union in for I2C block reads: the length to read
                break;
        }
    }

    /// <summary>Copies what the kernel read from <paramref name="data"/> into <paramref name="read"/>.</summary>
    /// <returns>How many bytes it delivered (an I2C block read reports its count in block[0]).</returns>
    public unsafe int Extract(i2c_smbus_data* data, Span<byte> read)
    {
        if (ReadWrite != I2cDev.I2C_SMBUS_READ)
        {
            return 0;
        }

        switch (Size)
        {
            case I2cDev.I2C_SMBUS_BYTE or I2cDev.I2C_SMBUS_BYTE_DATA:
                read[0] = data->@byte;
                return 1;
            case I2cDev.I2C_SMBUS_WORD_DATA:
                read[0] = (byte)data->word;
                read[1] = (byte)(data->word >> 8);
                return 2;
            default:
                var count = Math.Min(Math.Min((int)data->block[0], read.Length), I2cDev.I2C_SMBUS_BLOCK_MAX);
                new ReadOnlySpan<byte>(data->block + 1, count).CopyTo(read);
                return data->block[0];
        }
    }
}
