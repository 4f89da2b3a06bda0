using Gateway.Console.Tests.Infrastructure;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>
/// <c>gwctl watch mqtt://…</c> reconnects as the listener watch does (WatchReconnectTests): the broker is stopped
/// (SIGTERM) and started again on the same port under a running watch; the watch says the connection ended, says each
/// failed try, says when it is back, and goes on printing the readings the gateway's link publishes once it is back too.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WatchOverMqttReconnectTests(MqttGateway gw) : IClassFixture<MqttGateway>
{
    [Fact]
    public async Task A_watch_over_mqtt_says_the_broker_went_away_tries_again_and_goes_on_once_it_is_back()
    {
        MqttGateway.Require();
        using var watch = Gwctl.Start(gw.Dir, ["watch", gw.Address, "--json", .. gw.Login]);
        await watch.WaitForLineAsync("\"type\":\"reading\"", MqttGateway.Timeout);

        await gw.Broker.StopAsync();
        var ended = await watch.WaitForLineAsync($"gwctl: the connection to {gw.Address} ended: ", MqttGateway.Timeout, stderr: true);
        Assert.EndsWith("reconnecting in 1s", ended, StringComparison.Ordinal);
        await watch.WaitForLineAsync("; trying again in 2s", MqttGateway.Timeout, stderr: true); // the first try found no broker
        Assert.Contains(watch.Stderr, l => l.Contains("connection refused at " + gw.Address, StringComparison.Ordinal));
        var before = watch.Stdout.Count;

        await gw.Broker.RestartAsync();
        await watch.WaitForLineAsync($"gwctl: reconnected to the broker at {gw.Address}", MqttGateway.Timeout, stderr: true);
        var deadline = DateTime.UtcNow + MqttGateway.Timeout;
        while (watch.Stdout.Count < before + 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.True(watch.Stdout.Count >= before + 5, watch.Output); // readings again, through the broker that came back
        Assert.False(watch.HasExited, watch.Output);
        watch.Signal(Signals.SIGINT);
        Assert.Equal(0, await watch.WaitForExitAsync(MqttGateway.Timeout));
    }
}
