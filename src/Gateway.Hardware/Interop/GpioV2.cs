using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// The GPIO character device uAPI v2 (include/uapi/linux/gpio.h, Linux ≥ 5.10): structs with the kernel's layout,
/// flags, attribute ids and request codes computed from the struct sizes. Layouts are the same on 32- and 64-bit.
/// </summary>
internal static unsafe class GpioV2
{
    public const uint GpioIoctlType = 0xB4;
    public const int MaxLines = 64;
    public const int MaxAttributes = 10;
    public const int NameSize = 32;

    public static readonly uint GetChipInfo = IoctlCodes.Ior(GpioIoctlType, 0x01, sizeof(GpioChipInfo));
    public static readonly uint GetLineInfo = IoctlCodes.Iowr(GpioIoctlType, 0x05, sizeof(LineInfo));
    public static readonly uint GetLine = IoctlCodes.Iowr(GpioIoctlType, 0x07, sizeof(LineRequest));
    public static readonly uint SetConfig = IoctlCodes.Iowr(GpioIoctlType, 0x0D, sizeof(LineConfig));
    public static readonly uint GetValues = IoctlCodes.Iowr(GpioIoctlType, 0x0E, sizeof(LineValues));
    public static readonly uint SetValues = IoctlCodes.Iowr(GpioIoctlType, 0x0F, sizeof(LineValues));

    /// <summary>enum gpio_v2_line_flag.</summary>
    [Flags]
    public enum LineFlags : ulong
    {
        None = 0,
        Used = 1UL << 0,
        ActiveLow = 1UL << 1,
        Input = 1UL << 2,
        Output = 1UL << 3,
        EdgeRising = 1UL << 4,
        EdgeFalling = 1UL << 5,
        OpenDrain = 1UL << 6,
        OpenSource = 1UL << 7,
        BiasPullUp = 1UL << 8,
        BiasPullDown = 1UL << 9,
        BiasDisabled = 1UL << 10,
        EventClockRealtime = 1UL << 11,
    }

    /// <summary>enum gpio_v2_line_attr_id.</summary>
    public enum AttributeId : uint
    {
        Flags = 1,
        OutputValues = 2,
        Debounce = 3,
    }

    /// <summary>enum gpio_v2_line_event_id.</summary>
    public enum EventId : uint
    {
        RisingEdge = 1,
        FallingEdge = 2,
    }

    /// <summary>struct gpiochip_info (68 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GpioChipInfo
    {
        public fixed byte Name[NameSize];
        public fixed byte Label[NameSize];
        public uint Lines;
    }

    /// <summary>struct gpio_v2_line_attribute (16 bytes): id, padding, then a union of flags / values / debounce_period_us.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct LineAttribute
    {
        [FieldOffset(0)]
        public uint Id;

        [FieldOffset(4)]
        public uint Padding;

        [FieldOffset(8)]
        public ulong Flags;

        [FieldOffset(8)]
        public ulong Values;

        [FieldOffset(8)]
        public uint DebouncePeriodUs;
    }

    /// <summary>struct gpio_v2_line_config_attribute (24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineConfigAttribute
    {
        public LineAttribute Attr;
        public ulong Mask;
    }

    /// <summary>struct gpio_v2_line_config (272 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineConfig
    {
        public ulong Flags;
        public uint NumAttrs;
        public fixed uint Padding[5];
        public LineConfigAttributes Attrs;
    }

    /// <summary>The ten attribute slots of a line config (C# has no fixed arrays of structs).</summary>
    [InlineArray(MaxAttributes)]
    public struct LineConfigAttributes
    {
        private LineConfigAttribute _first;
    }

    /// <summary>struct gpio_v2_line_request (592 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineRequest
    {
        public fixed uint Offsets[MaxLines];
        public fixed byte Consumer[NameSize];
        public LineConfig Config;
        public uint NumLines;
        public uint EventBufferSize;
        public fixed uint Padding[5];
        public int Fd;
    }

    /// <summary>struct gpio_v2_line_info (256 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineInfo
    {
        public fixed byte Name[NameSize];
        public fixed byte Consumer[NameSize];
        public uint Offset;
        public uint NumAttrs;
        public ulong Flags;
        public LineInfoAttributes Attrs;
        public fixed uint Padding[4];
    }

    /// <summary>The ten attribute slots of a line info.</summary>
    [InlineArray(MaxAttributes)]
    public struct LineInfoAttributes
    {
        private LineAttribute _first;
    }

    /// <summary>struct gpio_v2_line_values (16 bytes): bit i of bits/mask is offsets[i] of the request.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineValues
    {
        public ulong Bits;
        public ulong Mask;
    }

    /// <summary>struct gpio_v2_line_event (48 bytes), read whole from the request fd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineEvent
    {
        public ulong TimestampNs;
        public uint Id;
        public uint Offset;
        public uint Seqno;
        public uint LineSeqno;
        public fixed uint Padding[6];
    }
}
