using System.Device.Gpio;
using System.Runtime.InteropServices;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Linux;

/// <summary>
/// One edge as the kernel reports it: a whole 48-byte <see cref="gpio_v2_line_event"/> record read from a line
/// request's descriptor (Documentation/userspace-api/gpio/gpio-v2-line-event-read.rst), in the kernel's (native) byte order.
/// </summary>
/// <param name="TimestampNs">CLOCK_MONOTONIC nanoseconds when the edge was detected.</param>
/// <param name="Id">1 rising, 2 falling (<see cref="gpio_v2_line_event_id"/>).</param>
/// <param name="Offset">The line's offset on the chip.</param>
/// <param name="Seqno">Sequence number among all lines of the request.</param>
/// <param name="LineSeqno">Sequence number on the line; a gap means the kernel dropped events.</param>
internal readonly record struct GpioLineEvent(ulong TimestampNs, uint Id, uint Offset, uint Seqno, uint LineSeqno)
{
    /// <summary>sizeof(struct gpio_v2_line_event).</summary>
    public static readonly int Size = Marshal.SizeOf<gpio_v2_line_event>();

    /// <summary>Rising or Falling; None for an id this code does not know (a newer kernel's).</summary>
    public PinEventTypes EdgeType => Id switch
    {
        (uint)gpio_v2_line_event_id.GPIO_V2_LINE_EVENT_RISING_EDGE => PinEventTypes.Rising,
        (uint)gpio_v2_line_event_id.GPIO_V2_LINE_EVENT_FALLING_EDGE => PinEventTypes.Falling,
        _ => PinEventTypes.None,
    };

    /// <summary>Decodes one record.</summary>
    /// <exception cref="ArgumentException"><paramref name="record"/> is not exactly one record long.</exception>
    public static GpioLineEvent Parse(ReadOnlySpan<byte> record)
    {
        if (record.Length != Size)
        {
            throw new ArgumentException($"a gpio_v2_line_event is {Size} bytes, not {record.Length}", nameof(record));
        }

        var raw = MemoryMarshal.Read<gpio_v2_line_event>(record);
        return new GpioLineEvent(raw.timestamp_ns, raw.id, raw.offset, raw.seqno, raw.line_seqno);
    }

    /// <summary>The event as the drivers report it: System.Device.Gpio's event with the kernel's timestamp and line sequence.</summary>
    public GpioLineEventArgs ToEventArgs(int pinNumber) =>
        new(EdgeType, pinNumber, unchecked((long)TimestampNs), LineSeqno);
}
