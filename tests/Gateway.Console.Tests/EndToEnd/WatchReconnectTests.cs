using Gateway.Console.Tests.Infrastructure;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>
/// Issue 18, item 3: <c>gwctl watch</c> reconnects with a visible state. A real gateway on a fixed port is stopped and
/// started again under a running watch: the watch says the connection ended, says each failed try, says when it is back
/// (and which seqs the live feed sent meanwhile), and goes on printing readings; with <c>--no-reconnect</c> it exits 69.
/// </summary>
public sealed class WatchReconnectTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private readonly int _port = Paths.FreeTcpPort();

    public void Dispose() => _dir.Dispose();

    private ChildProcess StartGateway() => ChildProcess.Start(ProgramUnderTest.Gateway.FileName,
    [
        .. ProgramUnderTest.Gateway.LeadingArguments,
        "--Gateway:DeviceId=rw-01",
        $"--Gateway:StateDirectory={_dir.File("state")}",
        "--Gateway:Sampling:Interval=200ms",
        $"--Gateway:Listener:Tcp=127.0.0.1:{_port}",
    ], _dir.Path);

    [Fact]
    public async Task A_watch_says_the_connection_ended_tries_again_and_goes_on_once_the_gateway_is_back()
    {
        var gateway = StartGateway();
        try
        {
            await gateway.WaitForLineAsync("Listener tcp listening on", Timeout);
            using var watch = Gwctl.Start(_dir.Path, "watch", $"tcp://127.0.0.1:{_port}", "--json");
            await watch.WaitForLineAsync("\"type\":\"reading\"", Timeout);

            gateway.Signal(Signals.SIGTERM);
            Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
            gateway.Dispose();
            var ended = await watch.WaitForLineAsync($"gwctl: the connection to tcp://127.0.0.1:{_port} ended: ", Timeout, stderr: true);
            Assert.EndsWith("reconnecting in 1s", ended, StringComparison.Ordinal);
            await watch.WaitForLineAsync("; trying again in 2s", Timeout, stderr: true); // the first try found nobody
            var before = watch.Stdout.Count;

            gateway = StartGateway();
            var back = await watch.WaitForLineAsync("gwctl: reconnected to rw-01 at ", Timeout, stderr: true);
            Assert.Matches(@"next seq \d+", back);
            var deadline = DateTime.UtcNow + Timeout;
            while (watch.Stdout.Count < before + 5 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            Assert.True(watch.Stdout.Count >= before + 5, watch.Output); // readings again, from the new connection
            Assert.False(watch.HasExited, watch.Output);
            watch.Signal(Signals.SIGINT);
            Assert.Equal(0, await watch.WaitForExitAsync(Timeout));
        }
        finally
        {
            gateway.Dispose();
        }
    }

    [Fact]
    public async Task With_no_reconnect_a_watch_exits_69_when_the_connection_ends()
    {
        using var gateway = StartGateway();
        await gateway.WaitForLineAsync("Listener tcp listening on", Timeout);
        using var watch = Gwctl.Start(_dir.Path, "watch", $"tcp://127.0.0.1:{_port}", "--json", "--no-reconnect");
        await watch.WaitForLineAsync("\"type\":\"reading\"", Timeout);

        gateway.Signal(Signals.SIGTERM);

        Assert.Equal(69, await watch.WaitForExitAsync(Timeout));
        Assert.Contains(watch.Stderr, l => l.Contains("ended", StringComparison.Ordinal));
    }
}
