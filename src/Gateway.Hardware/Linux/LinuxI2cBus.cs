using System.Device.I2c;
using System.Globalization;
using Gateway.Hardware.I2c;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// An I2C adapter through i2c-dev, as a System.Device.I2c <see cref="I2cBus"/> (<c>/dev/i2c-N</c>; Documentation/i2c/dev-interface.rst, include/uapi/linux/i2c-dev.h).
/// The adapter's functionality is read once (I2C_FUNCS). With I2C_FUNC_I2C every transaction is one I2C_RDWR call,
/// so a write-read is [write, read|I2C_M_RD] with a repeated start between. An adapter without it speaks SMBus only
/// (many PC and some SoC controllers): there read()/write() fail too (EOPNOTSUPP, they are I2C transfers), so each
/// transaction goes out as the SMBus transaction with the same bytes on the wire (<see cref="SmbusTransfer"/>),
/// through I2C_SLAVE_FORCE and the I2C_SMBUS ioctl. One descriptor serves every device on the bus, one transaction
/// at a time.
/// </summary>
public sealed unsafe class LinuxI2cBus : I2cBus
{
    private readonly Lock _lock = new();
    private readonly int _fd;
    private int _boundAddress = -1;
    private bool _disposed;

    /// <summary>Opens <c>/dev/i2c-<paramref name="busId"/></c>.</summary>
    /// <exception cref="DeviceNotFoundException">The adapter does not exist (is I2C enabled?).</exception>
    /// <exception cref="HardwareException">It is not an i2c-dev node, or access is denied.</exception>
    public LinuxI2cBus(int busId)
        : this(busId, string.Create(CultureInfo.InvariantCulture, $"/dev/i2c-{busId}"))
    {
    }

    /// <summary>Opens the adapter at <paramref name="path"/> as bus <paramref name="busId"/> (tests use other paths).</summary>
    internal LinuxI2cBus(int busId, string path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(busId);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        BusId = busId;
        DevicePath = path;
        _fd = DeviceFile.Open(path, "is I2C enabled (raspi-config, or dtparam=i2c_arm=on in config.txt) and the i2c-dev module loaded?");
        nuint functionality = 0; // I2C_FUNCS writes an unsigned long: 4 bytes on arm32, 8 on 64-bit
        if (Libc.ioctl(_fd, I2cDev.I2C_FUNCS, &functionality) < 0)
        {
            var error = Errno.ToException(Errno.Last, "I2C_FUNCS", path, "is it an i2c-dev node?");
            DeviceFile.Close(_fd);
            throw error;
        }

        Functionality = functionality;
        SupportsI2cTransfers = (Functionality & I2cDev.I2C_FUNC_I2C) != 0;
    }

    /// <summary>The bus number, N in <c>/dev/i2c-N</c>.</summary>
    public int BusId { get; }

    /// <summary>The adapter's device node, e.g. <c>/dev/i2c-1</c>.</summary>
    public string DevicePath { get; }

    /// <summary>
    /// Whether the adapter does plain I2C transfers (I2C_FUNC_I2C): transactions go out with I2C_RDWR. Otherwise they go
    /// out as SMBus transactions (I2C_SMBUS), which carry register reads and writes of up to 32 bytes.
    /// </summary>
    public bool SupportsI2cTransfers { get; }

    /// <summary>The adapter's I2C_FUNCS mask (include/uapi/linux/i2c.h, I2C_FUNC_*).</summary>
    public ulong Functionality { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">Not a 7-bit address from 0x08 to 0x77.</exception>
    public override I2cDevice CreateDevice(int deviceAddress)
    {
        var settings = I2cAddresses.Settings(BusId, deviceAddress);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        return new LinuxI2cDevice(this, settings);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A device here holds no resource of its own (every device shares the bus's descriptor), so there is nothing to
    /// release: a device created at the address keeps working until it is disposed.
    /// </remarks>
    public override void RemoveDevice(int deviceAddress) => I2cAddresses.Check(deviceAddress);

    /// <summary>One transaction with the device at <paramref name="address"/>: write, then read (either may be empty).</summary>
    /// <param name="address">The 7-bit address.</param>
    /// <param name="write">Bytes to write.</param>
    /// <param name="read">Buffer to fill.</param>
    /// <param name="device">The device for errors, e.g. <c>/dev/i2c-1@0x76</c>.</param>
    internal void Transfer(int address, ReadOnlySpan<byte> write, Span<byte> read, string device)
    {
        I2cMessages.CheckLength(write.Length, nameof(write));
        I2cMessages.CheckLength(read.Length, nameof(read));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (write.IsEmpty && read.IsEmpty)
            {
                return;
            }

            if (SupportsI2cTransfers)
            {
                ReadWrite(address, write, read, device);
            }
            else
            {
                Smbus(address, write, read, device);
            }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _disposed = true;
                DeviceFile.Close(_fd);
            }
        }

        base.Dispose(disposing);
    }

    private void ReadWrite(int address, ReadOnlySpan<byte> write, Span<byte> read, string device)
    {
        var messages = stackalloc i2c_msg[2];
        fixed (byte* w = write)
        fixed (byte* r = read)
        {
            var count = I2cMessages.Build(new Span<i2c_msg>(messages, 2), address, (nint)w, write.Length, (nint)r, read.Length);
            var data = new i2c_rdwr_ioctl_data { msgs = (nint)messages, nmsgs = (uint)count };
            var done = Libc.ioctl(_fd, I2cDev.I2C_RDWR, &data);
            if (done < 0)
            {
                throw TransferError(Errno.Last, "I2C_RDWR", device);
            }

            if (done != count)
            {
                throw new HardwareException($"I2C_RDWR on {device} completed {done} of {count} messages", device);
            }
        }
    }

    private void Smbus(int address, ReadOnlySpan<byte> write, Span<byte> read, string device)
    {
        var transfer = SmbusTransfer.For(write.Length, read.Length, Functionality, device);
        if (_boundAddress != address)
        {
            // FORCE, as dotnet/iot does: a kernel driver bound to the address would otherwise make I2C_SLAVE fail with EBUSY.
            if (Libc.ioctl(_fd, I2cDev.I2C_SLAVE_FORCE, (nuint)address) < 0)
            {
                throw Errno.ToException(Errno.Last, "I2C_SLAVE_FORCE", device);
            }

            _boundAddress = address;
        }

        i2c_smbus_data data = default;
        transfer.Fill(&data, write, read.Length);
        var args = new i2c_smbus_ioctl_data
        {
            read_write = transfer.ReadWrite,
            command = SmbusTransfer.Command(write),
            size = transfer.Size,
            data = (nint)(&data),
        };
        if (Libc.ioctl(_fd, I2cDev.I2C_SMBUS, &args) < 0)
        {
            throw TransferError(Errno.Last, $"I2C_SMBUS ({transfer.Name})", device);
        }

        var delivered = transfer.Extract(&data, read);
        if (delivered < read.Length)
        {
            throw new HardwareException($"I2C_SMBUS ({transfer.Name}) on {device} returned {delivered} of {read.Length} bytes", device);
        }
    }

    /// <summary>
    /// The typed exception for a failed transfer. ENXIO (and EREMOTEIO) is the address not acknowledged
    /// (Documentation/i2c/fault-codes.rst); SMBus adapters such as i2c-stub answer ENODEV for an address nobody is at,
    /// which is the same thing here (the bus is open, the chip is not answering), so it is a NACK too.
    /// </summary>
    private static HardwareException TransferError(int errno, string operation, string device) =>
        errno == Errno.ENODEV
            ? new BusNackException($"{operation} on {device} failed: no device answers at the address (errno {errno}, ENODEV)", device, errno)
            : Errno.ToException(errno, operation, device);
}
