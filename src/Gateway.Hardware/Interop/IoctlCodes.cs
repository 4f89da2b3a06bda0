namespace Gateway.Hardware.Interop;

/// <summary>ioctl request numbers built as the kernel's _IOC macros do (include/uapi/asm-generic/ioctl.h).</summary>
internal static class IoctlCodes
{
    private const int NrShift = 0;
    private const int TypeShift = 8;
    private const int SizeShift = 16;
    private const int DirShift = 30;
    private const uint Read = 2;
    private const uint ReadWrite = 3;

    /// <summary>_IOC(dir, type, nr, size).</summary>
    public static uint Ioc(uint dir, uint type, uint nr, int size) =>
        (dir << DirShift) | ((uint)size << SizeShift) | (type << TypeShift) | (nr << NrShift);

    /// <summary>_IOR(type, nr, size).</summary>
    public static uint Ior(uint type, uint nr, int size) => Ioc(Read, type, nr, size);

    /// <summary>_IOWR(type, nr, size).</summary>
    public static uint Iowr(uint type, uint nr, int size) => Ioc(ReadWrite, type, nr, size);
}
