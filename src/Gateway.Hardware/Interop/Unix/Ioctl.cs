namespace Gateway.Hardware.Interop;

/// <summary>
/// The kernel's ioctl request encoding (include/uapi/asm-generic/ioctl.h, used by arm, arm64 and x86):
/// <c>_IOC(dir, type, nr, size) = dir &lt;&lt; 30 | size &lt;&lt; 16 | type &lt;&lt; 8 | nr</c>, size being the
/// argument struct's size, so request codes are computed from the structs rather than copied.
/// </summary>
internal static class Ioctl
{
    private const int _IOC_NRBITS = 8;
    private const int _IOC_TYPEBITS = 8;
    private const int _IOC_SIZEBITS = 14;
    private const int _IOC_NRSHIFT = 0;
    private const int _IOC_TYPESHIFT = _IOC_NRSHIFT + _IOC_NRBITS;
    private const int _IOC_SIZESHIFT = _IOC_TYPESHIFT + _IOC_TYPEBITS;
    private const int _IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS;

    /// <summary>_IOC_NONE: no argument data.</summary>
    internal const uint _IOC_NONE = 0;

    /// <summary>_IOC_WRITE: user space writes, the kernel reads.</summary>
    internal const uint _IOC_WRITE = 1;

    /// <summary>_IOC_READ: the kernel writes, user space reads.</summary>
    internal const uint _IOC_READ = 2;

    /// <summary>_IOC(dir, type, nr, size).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field does not fit its bits.</exception>
    internal static uint _IOC(uint dir, uint type, uint nr, int size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dir, 3u);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(type, 0xFFu);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nr, 0xFFu);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(size, 1 << _IOC_SIZEBITS);
        return (dir << _IOC_DIRSHIFT) | ((uint)size << _IOC_SIZESHIFT) | (type << _IOC_TYPESHIFT) | (nr << _IOC_NRSHIFT);
    }

    /// <summary>_IOR(type, nr, T): the kernel fills a T.</summary>
    internal static uint _IOR(uint type, uint nr, int size) => _IOC(_IOC_READ, type, nr, size);

    /// <summary>_IOW(type, nr, T): the kernel reads a T.</summary>
    internal static uint _IOW(uint type, uint nr, int size) => _IOC(_IOC_WRITE, type, nr, size);

    /// <summary>_IOWR(type, nr, T): the kernel reads a T and writes it back.</summary>
    internal static uint _IOWR(uint type, uint nr, int size) => _IOC(_IOC_READ | _IOC_WRITE, type, nr, size);
}
