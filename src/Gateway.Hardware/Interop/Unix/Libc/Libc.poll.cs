using System.Runtime.InteropServices;

namespace Gateway.Hardware.Interop;

internal static unsafe partial class Libc
{
    // include/uapi/asm-generic/poll.h

    /// <summary>POLLIN: there is data to read.</summary>
    internal const short POLLIN = 0x0001;

    /// <summary>POLLERR: an error condition (reported whether or not it was asked for).</summary>
    internal const short POLLERR = 0x0008;

    /// <summary>POLLHUP: hung up (e.g. a GPIO chip that was removed, a pipe without writers).</summary>
    internal const short POLLHUP = 0x0010;

    /// <summary>POLLNVAL: the descriptor is not open.</summary>
    internal const short POLLNVAL = 0x0020;

    /// <summary>poll(2): the number of descriptors with events, 0 on timeout, or -1 with errno set (EINTR included).</summary>
    /// <param name="fds">The descriptors and the events wanted; the kernel fills <c>revents</c>.</param>
    /// <param name="nfds">How many entries <paramref name="fds"/> has (nfds_t is an unsigned long).</param>
    /// <param name="timeout">Milliseconds, or -1 to wait for ever.</param>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int poll(pollfd* fds, nuint nfds, int timeout);

    /// <summary>struct pollfd (8 bytes on every ABI).</summary>
#pragma warning disable CS8981 // The kernel's name is kept, as for every struct in Interop.
    [StructLayout(LayoutKind.Sequential)]
    internal struct pollfd
    {
        /// <summary>The descriptor; negative entries are ignored by the kernel.</summary>
        public int fd;

        /// <summary>The events wanted.</summary>
        public short events;

        /// <summary>The events that happened.</summary>
        public short revents;
    }
#pragma warning restore CS8981
}
