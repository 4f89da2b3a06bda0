using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// The i2c_msg list of one I2C_RDWR call (Documentation/i2c/dev-interface.rst, i2c-protocol.rst): a write message,
/// then a read message flagged I2C_M_RD. The kernel puts a repeated start between messages and a STOP only after the
/// last, which is what a register read (write the register pointer, read the data) needs. Pure.
/// </summary>
internal static class I2cMessages
{
    /// <summary>Fills <paramref name="messages"/> and returns how many were used (0, 1 or 2); empty parts are left out.</summary>
    /// <param name="messages">Room for two messages.</param>
    /// <param name="address">The 7-bit address.</param>
    /// <param name="write">The pinned bytes to write.</param>
    /// <param name="writeLength">How many; 0 for none.</param>
    /// <param name="read">The pinned buffer to read into.</param>
    /// <param name="readLength">How many; 0 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">A part is longer than i2c-dev takes in one message.</exception>
    public static int Build(Span<i2c_msg> messages, int address, nint write, int writeLength, nint read, int readLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messages.Length, 2, nameof(messages));
        ArgumentOutOfRangeException.ThrowIfNegative(address);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(address, 0x7F);
        CheckLength(writeLength, nameof(writeLength));
        CheckLength(readLength, nameof(readLength));
        var count = 0;
        if (writeLength > 0)
        {
            messages[count++] = new i2c_msg { addr = (ushort)address, flags = 0, len = (ushort)writeLength, buf = write };
        }

        if (readLength > 0)
        {
            messages[count++] = new i2c_msg { addr = (ushort)address, flags = I2cDev.I2C_M_RD, len = (ushort)readLength, buf = read };
        }

        return count;
    }

    /// <summary>Refuses a length i2c-dev would refuse (I2C_RDWR) or silently shorten (read/write).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or longer than <see cref="I2cDev.MaxMessageLength"/>.</exception>
    public static void CheckLength(int length, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, I2cDev.MaxMessageLength, name);
    }
}
