using System.CommandLine;
using Gateway.Console.Keys;
using Gateway.Console.Watching;

namespace Gateway.Console.Cli;

/// <summary><c>gwctl watch &lt;gateway&gt;</c>: live readings from a gateway's listener, and its status when a key is given.</summary>
internal static class WatchVerb
{
    public static Command Build(Option<bool> json, Option<ColorMode> color, Func<ColorMode, Terminal> terminals)
    {
        var gateway = GwctlCli.GatewayArgument();
        var keyFile = GwctlCli.KeyFile("to also show the gateway's status (outputs, links, outbox) in the live view every 15s; optional");
        var count = new Option<long?>("--count", "-n") { Description = "stop after this many readings and events (exit 0)" };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long?>() is <= 0)
            {
                r.AddError("--count: expected a positive number");
            }
        });
        var timeout = GwctlCli.Timeout(TimeSpan.FromSeconds(10), "how long to wait for the connection, the gateway's hello, and each status");
        var tls = new TlsOptions();
        var noReconnect = new Option<bool>("--no-reconnect") { Description = "exit (69) when the connection ends, instead of saying so and connecting again (1s doubling to 30s)" };
        var mqtt = GwctlCli.MqttLogin();
        var command = new Command("watch", "connect to a gateway's TCP or WebSocket listener (plain, or TLS: tls://, wss://), or to the MQTT broker its link publishes to, and show its live readings (a live view on a terminal, one line per reading otherwise); reconnects when the connection ends") { gateway, keyFile, count, timeout.Option, noReconnect, mqtt.User, mqtt.PasswordFile };
        tls.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var terminal = terminals(parse.GetValue(color));
            return GwctlCli.Guard(terminal, async () =>
            {
                var keyPath = KeyFileReader.Resolve(parse.GetValue(keyFile), Environment.GetEnvironmentVariable(KeyFileReader.EnvironmentVariable));
                var key = keyPath is null ? null : KeyFileReader.Load(keyPath);
                var address = tls.Apply(parse, parse.GetValue(gateway)!);
                var login = GwctlCli.MqttLoginOf(parse, address, mqtt);
                var watcher = new Watcher(address, key, parse.GetValue(json), parse.GetValue(count), timeout.Get(parse), terminal, TimeProvider.System, reconnect: !parse.GetValue(noReconnect), login);
                return await watcher.RunAsync(ct).ConfigureAwait(false);
            });
        });
        return command;
    }
}
