using System.Net;
using System.Net.Sockets;
using Gateway.Links;

namespace Gateway.Tests.Links;

/// <summary>
/// The TCP listener's connections read on a thread of their own (<see cref="ReaderThreadStream"/>), over real loopback
/// sockets: what a reader does after its first read runs on that thread, later reads there complete at once when bytes
/// are waiting, and cancellation, the peer's end and disposal each end a read that waits.
/// </summary>
public sealed class ReaderThreadStreamTests : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private Socket _peer = null!;
    private ReaderThreadStream _stream = null!;

    public async ValueTask InitializeAsync()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        _peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = _listener.AcceptAsync();
        await _peer.ConnectAsync(_listener.LocalEndPoint!);
        _stream = new ReaderThreadStream(await accept);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _peer.Dispose();
        _listener.Dispose();
    }

    [Fact(Timeout = 10_000)]
    public Task The_code_after_a_read_runs_on_the_reader_thread_and_its_next_read_is_done_there_without_waiting() => OnTheReaderThread();

    [Fact(Timeout = 10_000)]
    public Task A_read_asked_for_on_another_thread_is_handed_to_the_reader_thread_and_comes_back_on_it() => HandedOver();

    // Outside the test methods: the thread checks need ConfigureAwait(false) (no test context to come back to).
    private async Task OnTheReaderThread()
    {
        var buffer = new byte[16];
        var first = _stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.False(first.IsCompleted); // nothing sent yet: handed to the reader thread, which waits in poll

        _ = Task.Delay(200).ContinueWith(_ => _peer.Send("ab"u8), TaskScheduler.Default); // after this await waits
        Assert.Equal(2, await first.ConfigureAwait(false));
        Assert.Same(_stream.ReaderThread, Thread.CurrentThread);

        _peer.Send("cde"u8);
        Thread.Sleep(100); // let the bytes arrive, staying on the reader thread
        var second = _stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.True(second.IsCompleted);
        Assert.Equal(3, await second.ConfigureAwait(false));
        Assert.Same(_stream.ReaderThread, Thread.CurrentThread);
    }

    private async Task HandedOver()
    {
        var buffer = new byte[16];
        _peer.Send("x"u8);
        Assert.Equal(1, await _stream.ReadAsync(buffer, TestContext.Current.CancellationToken).ConfigureAwait(false));
        var reader = _stream.ReaderThread;

        await Task.Run(
            async () =>
            {
                Assert.NotSame(reader, Thread.CurrentThread);
                var read = _stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
                _ = Task.Delay(200).ContinueWith(_ => _peer.Send("yz"u8), TaskScheduler.Default); // after this await waits
                Assert.Equal(2, await read.ConfigureAwait(false));
                Assert.Same(reader, Thread.CurrentThread);
            },
            TestContext.Current.CancellationToken).ConfigureAwait(false);
    }

    [Fact]
    public async Task A_read_that_waits_ends_when_its_token_is_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var read = _stream.ReadAsync(new byte[16], cancel.Token).AsTask();
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(read.IsCompleted);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Limit, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_read_that_waits_returns_zero_when_the_peer_closes()
    {
        var read = _stream.ReadAsync(new byte[16], TestContext.Current.CancellationToken).AsTask();

        _peer.Shutdown(SocketShutdown.Send);

        Assert.Equal(0, await read.WaitAsync(Limit, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Disposing_the_stream_ends_a_read_that_waits_and_the_reader_thread()
    {
        var read = _stream.ReadAsync(new byte[16], TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(100, TestContext.Current.CancellationToken);
        var reader = _stream.ReaderThread!;

        await _stream.DisposeAsync();

        // Waited for here, not awaited: an await's continuation could run on the reader thread, which cannot join itself.
        Assert.True(((IAsyncResult)read).AsyncWaitHandle.WaitOne(Limit), "the read still waits");
        var ended = await Record.ExceptionAsync(async () => Assert.Equal(0, await read)); // done: no continuation waits
        Assert.True(ended is null or ObjectDisposedException or IOException, $"ended with {ended}");
        Assert.True(reader.Join(Limit), "the reader thread is still running");
    }

    [Fact]
    public async Task Writes_reach_the_peer_while_a_read_waits()
    {
        var read = _stream.ReadAsync(new byte[16], TestContext.Current.CancellationToken).AsTask();

        await _stream.WriteAsync("hello\n"u8.ToArray(), TestContext.Current.CancellationToken);

        var got = new byte[6];
        Assert.Equal(6, _peer.Receive(got));
        Assert.Equal("hello\n"u8.ToArray(), got);
        Assert.False(read.IsCompleted);
    }
}
