using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Links;

/// <summary>Several upstreams of one kind: each has its own cursor, so one being down does not hold the other back.</summary>
public sealed class MultipleLinksTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Two_tcp_upstreams_each_get_everything_and_one_outage_does_not_stall_the_other()
    {
        await using var primary = new TestUpstream();
        await using var backup = new TestUpstream();
        primary.Start();
        backup.Start();
        using var gateway = GatewayProcess.Start(_dir.Path,
        [
            "--Gateway:DeviceId=multi-01",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=20ms",
            $"--Gateway:Upstream:Tcp:Endpoint=127.0.0.1:{primary.Port}",
            $"--Gateway:Upstream:Tcp:Links:backup:Endpoint=127.0.0.1:{backup.Port}",
            "--Gateway:Upstream:Tcp:Links:backup:BackoffMax=500ms",
        ]);
        await primary.WaitForSeqAsync(200, Timeout);
        await backup.WaitForSeqAsync(200, Timeout);

        await backup.KillAsync();
        var backupStopped = backup.MaxSeq;
        await primary.WaitForSeqAsync(primary.MaxSeq + 500, Timeout); // the primary keeps going
        Assert.Equal(backupStopped, backup.MaxSeq);

        backup.Start();
        await backup.WaitForSeqAsync(primary.MaxSeq, Timeout); // the backup catches up from its own cursor
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));

        foreach (var upstream in new[] { primary, backup })
        {
            var received = upstream.Received.Select(r => r.Seq).ToHashSet();
            var missing = DeliveryCheck.Missing(_dir.File("state/gateway.db"), received);
            Assert.True(missing.Count == 0, $"{missing.Count} readings neither delivered nor stored, first {string.Join(", ", missing.Take(10))}");
        }

        Assert.Contains(gateway.Stdout, l => l.Contains("Link tcp:backup up", StringComparison.Ordinal));
    }
}
