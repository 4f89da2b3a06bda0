using Gateway.Hardware.Interop;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>A real pipe standing in for a line request's descriptor: whatever is written to it, poll() and read() see.</summary>
internal sealed unsafe class TestPipe : IDisposable
{
    public TestPipe()
    {
        var fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
        {
            throw Errno.ToException(Errno.Last, "pipe2", "test pipe");
        }

        ReadFd = fds[0];
        WriteFd = fds[1];
    }

    public int ReadFd { get; private set; }

    public int WriteFd { get; private set; }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* b = bytes)
        {
            Assert.Equal(bytes.Length, (int)Libc.write(WriteFd, b, (nuint)bytes.Length));
        }
    }

    public void CloseWriter()
    {
        Libc.close(WriteFd);
        WriteFd = -1;
    }

    public void CloseReader()
    {
        Libc.close(ReadFd);
        ReadFd = -1;
    }

    public void Dispose()
    {
        if (WriteFd >= 0)
        {
            CloseWriter();
        }

        if (ReadFd >= 0)
        {
            CloseReader();
        }
    }
}
