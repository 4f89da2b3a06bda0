using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

/// <summary>
/// struct gpio_v2_line_event (include/uapi/linux/gpio.h), 48 bytes: one edge, read whole from the request fd
/// (Documentation/userspace-api/gpio/gpio-v2-line-event-read.rst).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
internal unsafe struct gpio_v2_line_event
{
    /// <summary>When the edge was detected, nanoseconds of CLOCK_MONOTONIC (unless EVENT_CLOCK_REALTIME was asked for).</summary>
    [FieldOffset(0)]
    public ulong timestamp_ns;

    /// <summary><see cref="gpio_v2_line_event_id"/>.</summary>
    [FieldOffset(8)]
    public uint id;

    /// <summary>The line's offset on the chip.</summary>
    [FieldOffset(12)]
    public uint offset;

    /// <summary>Sequence number of this event among all lines of the request.</summary>
    [FieldOffset(16)]
    public uint seqno;

    /// <summary>Sequence number of this event on its line; a gap means the kernel's buffer overflowed and dropped edges.</summary>
    [FieldOffset(20)]
    public uint line_seqno;

    /// <summary>Reserved.</summary>
    [FieldOffset(24)]
    public fixed uint padding[6];
}
