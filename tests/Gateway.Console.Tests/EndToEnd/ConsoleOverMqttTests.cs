using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Console.Tests.Infrastructure;
using Gateway.Mqtt;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>
/// gwctl as a real process over <c>mqtt://</c>: a real mosquitto, and a real gateway whose MQTT link publishes to it.
/// watch shows the readings the link publishes; send publishes a signed command to the commands topic and prints the
/// result the gateway publishes on the results topic; a key the gateway does not know, a wrong broker password and an
/// unreachable broker are each one line and the exit code the other transports give; bad payloads are skipped.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class ConsoleOverMqttTests(MqttGateway gw) : IClassFixture<MqttGateway>
{
    [Fact]
    public async Task Watch_over_mqtt_prints_the_readings_the_gateway_publishes_with_their_seqs_and_its_retained_status()
    {
        MqttGateway.Require();

        var text = await Gwctl.RunAsync(gw.Dir, ["watch", gw.Address, "--count", "3", .. gw.Login]);
        var json = await Gwctl.RunAsync(gw.Dir, ["watch", gw.Address, "--count", "2", "--json", .. gw.Login]);

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(3, text.Stdout.Count);
        Assert.All(text.Stdout, line => Assert.Matches(ReadingLine(), line));
        Assert.Contains($"gwctl: watching gateway/{MqttGateway.Device}/sensor/#", text.Err, StringComparison.Ordinal);
        Assert.Contains($"gwctl: gateway/{MqttGateway.Device}/status: online (retained)", text.Err, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(2, json.Stdout.Count);
        WatchLines.AssertJsonFrom(MqttGateway.Device, json.Stdout);
    }

    [Fact]
    public async Task Send_over_mqtt_prints_the_result_the_gateway_publishes_for_the_signed_command()
    {
        MqttGateway.Require();

        var ping = await Gwctl.RunAsync(gw.Dir, ["send", gw.Address, "ping", "--key-file", gw.OperatorKey, .. gw.Login]);
        var status = await Gwctl.RunAsync(
            gw.Dir,
            new Dictionary<string, string?> { ["GWCTL_MQTT_PASSWORD"] = MqttGateway.Password }, // the password from the environment this time
            "status", gw.Address, "--key-file", gw.OperatorKey, "--mqtt-user", MqttGateway.User, "--json");

        Assert.True(ping.ExitCode == 0, ping.ToString());
        Assert.Contains("\"pong\": true", ping.Out, StringComparison.Ordinal);
        Assert.True(status.ExitCode == 0, status.ToString());
        using var doc = JsonDocument.Parse(status.Stdout.Single());
        Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(MqttGateway.Device, doc.RootElement.GetProperty("data").GetProperty("device").GetString());
        Assert.Contains(doc.RootElement.GetProperty("data").GetProperty("links").EnumerateArray(), l => l.GetProperty("name").GetString() == "mqtt");
    }

    [Fact]
    public async Task A_key_the_gateway_does_not_know_is_refused_over_mqtt_with_the_gateways_error()
    {
        MqttGateway.Require();

        var result = await Gwctl.RunAsync(gw.Dir, ["send", gw.Address, "ping", "--key-file", gw.StrangerKey, .. gw.Login]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"{MqttGateway.Device} refused ping: unknown_key", result.Err, StringComparison.Ordinal);
        Assert.Contains("Gateway:Commands:Keys:stranger:SecretFile", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_broker_or_a_wrong_password_exits_69_saying_what_to_check()
    {
        MqttGateway.Require();
        var closed = Paths.FreeTcpPort();
        var nowhere = $"mqtt://127.0.0.1:{closed}/gateway/{MqttGateway.Device}";
        var wrong = gw.PasswordFile + ".wrong";
        await File.WriteAllTextAsync(wrong, "not-the-password", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(wrong, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var send = await Gwctl.RunAsync(gw.Dir, ["send", nowhere, "ping", "--key-file", gw.OperatorKey, .. gw.Login]);
        var watch = await Gwctl.RunAsync(gw.Dir, ["watch", nowhere, .. gw.Login]);
        var refused = await Gwctl.RunAsync(gw.Dir, "send", gw.Address, "ping", "--key-file", gw.OperatorKey, "--mqtt-user", MqttGateway.User, "--mqtt-password-file", wrong);
        var anonymous = await Gwctl.RunAsync(gw.Dir, "watch", gw.Address);

        var expected = $"gwctl: connection refused at {nowhere}: is the MQTT broker running there? it is the one in the gateway's Gateway:Upstream:Mqtt:Broker";
        Assert.True(send.ExitCode == 69, send.ToString());
        Assert.Equal(expected, send.Err);
        Assert.True(watch.ExitCode == 69, watch.ToString());
        Assert.Equal(expected, watch.Err);
        Assert.True(refused.ExitCode == 69, refused.ToString());
        Assert.Contains("the broker refused the connection: CONNACK return code", refused.Err, StringComparison.Ordinal); // mosquitto says 5, not authorized
        Assert.Contains($"check --mqtt-user ({MqttGateway.User}) and the password", refused.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", refused.Err, StringComparison.Ordinal);
        Assert.True(anonymous.ExitCode == 69, anonymous.ToString());
        Assert.Contains("the broker wants a login: give --mqtt-user", anonymous.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_over_mqtt_says_and_skips_payloads_that_are_not_messages_and_goes_on()
    {
        MqttGateway.Require();
        const string Prefix = "gateway/hostile-01";
        using var watch = Gwctl.Start(gw.Dir, ["watch", $"mqtt://127.0.0.1:{gw.Broker.Port}/{Prefix}", "--count", "1", .. gw.Login]);
        await watch.WaitForLineAsync($"gwctl: watching {Prefix}/sensor/#", MqttGateway.Timeout, stderr: true); // subscribed

        await using var client = new MqttClient();
        var options = new MqttClientOptions { Port = gw.Broker.Port, ClientId = "hostile-publisher", Username = MqttGateway.User, Password = Encoding.UTF8.GetBytes(MqttGateway.Password) };
        await client.ConnectAsync(options, TestContext.Current.CancellationToken);
        await client.PublishAsync($"{Prefix}/sensor/env/temperature", "not json {"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: TestContext.Current.CancellationToken);
        await client.PublishAsync($"{Prefix}/events", new byte[70_000], MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: TestContext.Current.CancellationToken);
        var reading = $$"""{"type":"reading","device":"hostile-01","seq":42,"ts":"2026-01-02T03:04:05.000Z","sensor":"env","quantity":"temperature","value":21.5,"unit":"Cel"}""";
        await client.PublishAsync($"{Prefix}/sensor/env/temperature", Encoding.UTF8.GetBytes(reading), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, await watch.WaitForExitAsync(MqttGateway.Timeout));
        var line = Assert.Single(watch.Stdout);
        Assert.Contains("hostile-01 #42 env temperature 21.5", line, StringComparison.Ordinal);
        Assert.Contains(watch.Stderr, l => l.StartsWith($"gwctl: skipped a message malformed_json: on {Prefix}/sensor/env/temperature", StringComparison.Ordinal));
        Assert.Contains(watch.Stderr, l => l.StartsWith($"gwctl: skipped a message line_too_long: on {Prefix}/events: 70000 bytes", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z mq-e2e #\d+ \S+ \S+ \S+")]
    private static partial Regex ReadingLine();
}
