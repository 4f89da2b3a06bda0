using Gateway.Hardware.I2c;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// An I2C adapter through i2c-dev (<c>/dev/i2c-N</c>; Documentation/i2c/dev-interface.rst). With I2C_FUNC_I2C a
/// write-read is one I2C_RDWR call with two messages (a repeated start, no STOP between); adapters without it
/// (SMBus-only) fall back to I2C_SLAVE_FORCE and plain write()/read().
/// </summary>
public sealed unsafe class LinuxI2cBus : I2cBus
{
    private readonly int _fd;
    private readonly string _path;
    private readonly bool _plainI2c;
    private readonly Lock _lock = new();
    private int _boundAddress = -1;
    private bool _disposed;

    /// <summary>Opens <c>/dev/i2c-<paramref name="busId"/></c>.</summary>
    /// <exception cref="DeviceNotFoundException">The adapter does not exist (I2C not enabled?).</exception>
    public LinuxI2cBus(int busId, string devicePathFormat = "/dev/i2c-{0}")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(busId);
        BusId = busId;
        _path = string.Format(System.Globalization.CultureInfo.InvariantCulture, devicePathFormat, busId);
        _fd = Libc.Open(_path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (_fd < 0)
        {
            var errno = Libc.Errno;
            if (errno is Libc.ENOENT or Libc.ENODEV)
            {
                throw new DeviceNotFoundException(
                    $"{_path} does not exist: is I2C enabled (raspi-config, or dtparam=i2c_arm=on in config.txt) and i2c-dev loaded?", _path, errno);
            }

            throw Errno.ToException(errno, "open", _path);
        }

        ulong funcs = 0;
        if (Libc.Ioctl(_fd, I2cDev.I2C_FUNCS, &funcs) < 0)
        {
            var error = Errno.ToException(Libc.Errno, "I2C_FUNCS", _path);
            Libc.Close(_fd);
            throw error;
        }

        _plainI2c = (funcs & I2cDev.I2C_FUNC_I2C) != 0;
    }

    /// <inheritdoc/>
    public override int BusId { get; }

    /// <summary>Whether the adapter does plain I2C transfers (I2C_FUNC_I2C); otherwise the fallback is used.</summary>
    public bool SupportsPlainI2c => _plainI2c;

    /// <inheritdoc/>
    public override I2cDevice CreateDevice(int deviceAddress) => new LinuxI2cDevice(this, new I2cConnectionSettings(BusId, deviceAddress));

    internal void Transfer(I2cConnectionSettings settings, ReadOnlySpan<byte> write, Span<byte> read)
    {
        var device = $"{_path}@0x{settings.DeviceAddress:X2}";
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_plainI2c)
            {
                Rdwr(settings.DeviceAddress, write, read, device);
            }
            else
            {
                Fallback(settings.DeviceAddress, write, read, device);
            }
        }
    }

    private void Rdwr(int address, ReadOnlySpan<byte> write, Span<byte> read, string device)
    {
        fixed (byte* w = write)
        fixed (byte* r = read)
        {
            var messages = stackalloc I2cDev.I2cMsg[2];
            uint count = 0;
            if (!write.IsEmpty)
            {
                messages[count++] = new I2cDev.I2cMsg { Addr = (ushort)address, Flags = 0, Len = (ushort)write.Length, Buf = (nint)w };
            }

            if (!read.IsEmpty)
            {
                messages[count++] = new I2cDev.I2cMsg { Addr = (ushort)address, Flags = I2cDev.I2C_M_RD, Len = (ushort)read.Length, Buf = (nint)r };
            }

            if (count == 0)
            {
                return;
            }

            var data = new I2cDev.I2cRdwrIoctlData { Msgs = (nint)messages, NMsgs = count };
            Errno.ThrowIfFailed(Libc.Ioctl(_fd, I2cDev.I2C_RDWR, &data), "I2C_RDWR", device);
        }
    }

    private void Fallback(int address, ReadOnlySpan<byte> write, Span<byte> read, string device)
    {
        if (_boundAddress != address)
        {
            // FORCE, because a kernel driver may have claimed the address for itself (dotnet/iot does the same).
            Errno.ThrowIfFailed(Libc.Ioctl(_fd, I2cDev.I2C_SLAVE_FORCE, address), "I2C_SLAVE_FORCE", device);
            _boundAddress = address;
        }

        fixed (byte* w = write)
        fixed (byte* r = read)
        {
            if (!write.IsEmpty)
            {
                var n = Libc.Write(_fd, w, (nuint)write.Length);
                Errno.ThrowIfFailed(n, "write", device);
                if (n != write.Length)
                {
                    throw new HardwareException($"write on {device} sent {n} of {write.Length} bytes", device);
                }
            }

            if (!read.IsEmpty)
            {
                var n = Libc.Read(_fd, r, (nuint)read.Length);
                Errno.ThrowIfFailed(n, "read", device);
                if (n != read.Length)
                {
                    throw new HardwareException($"read on {device} returned {n} of {read.Length} bytes", device);
                }
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
                Libc.Close(_fd);
            }
        }

        base.Dispose(disposing);
    }

    private sealed class LinuxI2cDevice(LinuxI2cBus bus, I2cConnectionSettings settings) : I2cDevice
    {
        public override I2cConnectionSettings ConnectionSettings => settings;

        public override void Read(Span<byte> buffer) => bus.Transfer(settings, [], buffer);

        public override void Write(ReadOnlySpan<byte> buffer) => bus.Transfer(settings, buffer, []);

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => bus.Transfer(settings, writeBuffer, readBuffer);
    }
}
