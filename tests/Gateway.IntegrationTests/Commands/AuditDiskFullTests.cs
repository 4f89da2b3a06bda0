using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.Protocol;

namespace Gateway.IntegrationTests.Commands;

/// <summary>A real full state directory (a 2 MiB tmpfs, as in Outbox/DiskFullTests): commands still get their results (issue 14, finding 3).</summary>
public sealed class AuditDiskFullTests : IDisposable
{
    private readonly SmallStateDisk _disk = new();

    public void Dispose() => _disk.Dispose();

    private static string AuditState(ResultMessage status)
    {
        Assert.True(status.Ok, status.Message);
        using var doc = JsonDocument.Parse(status.Data!);
        return doc.RootElement.GetProperty("audit").GetProperty("state").GetString()!;
    }

    [Fact]
    public async Task With_the_state_directory_full_commands_get_their_results_the_status_reports_the_audit_and_it_recovers()
    {
        if (!_disk.Mounted)
        {
            Assert.Skip(SmallStateDisk.SkipReason);
        }

        await using var gw = await CommandGateway.StartAsync(_disk.Folder);
        using var console = await TcpConsole.ConnectAsync(gw.TcpPort);
        Assert.True((await console.SendAsync(gw.Sign("ping"))).Ok);

        var filler = Path.Combine(_disk.State, "filler");
        await using (var f = new FileStream(filler, FileMode.Create))
        {
            var block = new byte[16 * 1024];
            try
            {
                for (var i = 0; i < 1000; i++)
                {
                    f.Write(block);
                    f.Flush(flushToDisk: true);
                }
            }
            catch (IOException)
            {
                // no space left on device: that is the point
            }
        }

        // The audit file's last page may still have room: enough commands to need a new one, every one answered.
        for (var i = 0; i < 40; i++)
        {
            await Task.Delay(80, TestContext.Current.CancellationToken); // under the 20/s rate limit
            var ping = await console.SendAsync(gw.Sign("ping"));
            Assert.True(ping.Ok, ping.Message);
        }

        var on = await console.SendAsync(gw.Sign("output.set", """{"output":"relay","on":true}"""));
        Assert.True(on.Ok, on.Message);
        Assert.Equal(1, gw.RelayLevel());
        Assert.StartsWith("audit file failing since", AuditState(await console.SendAsync(gw.Sign("status"))), StringComparison.Ordinal);

        File.Delete(filler);
        var off = await console.SendAsync(gw.Sign("output.set", """{"output":"relay","on":false}""", id: "after-space"));
        Assert.True(off.Ok, off.Message);
        Assert.Equal("ok", AuditState(await console.SendAsync(gw.Sign("status"))));
        Assert.Contains("after-space", await File.ReadAllTextAsync(Path.Combine(_disk.State, "audit.log"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
