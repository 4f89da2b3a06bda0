using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Console.Discovery;
using Gateway.Console.Views;
using Spectre.Console;

namespace Gateway.Console.Cli;

/// <summary><c>gwctl discover</c>: listen for gateway beacons for a while, then list the gateways found.</summary>
internal static class DiscoverVerb
{
    /// <summary>The port gateways broadcast to in the README's example (Gateway:Upstream:Udp:Endpoint=192.168.1.255:7002).</summary>
    public const int DefaultPort = 7002;

    public static Command Build(Option<bool> json, Option<ColorMode> color, Func<ColorMode, Terminal> terminals)
    {
        var port = new Option<int>("--port", "-p")
        {
            Description = $"the UDP port gateways broadcast beacons to (the port of their Gateway:Upstream:Udp:Endpoint; default {DefaultPort})",
            DefaultValueFactory = _ => DefaultPort,
        };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError("--port: expected a port from 1 to 65535");
            }
        });
        var bind = new Option<string>("--bind")
        {
            Description = "the local address to listen on (default 0.0.0.0: every interface, broadcasts included)",
            DefaultValueFactory = _ => "0.0.0.0",
        };
        var timeout = GwctlCli.Timeout(TimeSpan.FromSeconds(6), "how long to listen; longer than the gateways' Gateway:Upstream:Udp:BeaconInterval (5s)");
        var command = new Command("discover", "listen for the beacons gateways broadcast, then list them: device, address, version, uptime, listeners") { port, bind, timeout.Option };
        command.SetAction((parse, ct) =>
        {
            var terminal = terminals(parse.GetValue(color));
            return GwctlCli.Guard(terminal, () => RunAsync(terminal, parse.GetValue(bind)!, parse.GetValue(port), timeout.Get(parse), parse.GetValue(json), ct));
        });
        return command;
    }

    private static async Task<int> RunAsync(Terminal terminal, string bind, int port, TimeSpan duration, bool json, CancellationToken token)
    {
        if (!IPAddress.TryParse(bind, out var address))
        {
            throw new GwctlException(ExitCodes.Usage, $"--bind '{bind}' is not an IP address (e.g. 0.0.0.0 or 127.0.0.1)");
        }

        if (!json && terminal.StdoutIsTerminal)
        {
            await terminal.ErrorWriter.WriteLineAsync($"gwctl: listening for beacons on udp {bind}:{port} for {ErrorAdvice.Seconds(duration)}…").ConfigureAwait(false);
        }

        var found = (await BeaconListener.ListenAsync(address, port, duration, TimeProvider.System, token).ConfigureAwait(false)).All;
        if (json)
        {
            await terminal.OutWriter.WriteLineAsync(ToJson(found)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (found.Count == 0)
        {
            await terminal.ErrorWriter.WriteLineAsync(
                $"gwctl: no gateway beacons on udp port {port} within {ErrorAdvice.Seconds(duration)}: gateways send them when Gateway:Upstream:Udp:Endpoint is set to a broadcast address and this port (e.g. 192.168.1.255:{port})").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in new[] { "device", "address", "version", "uptime", "listeners" })
        {
            table.AddColumn(c);
        }

        foreach (var g in found)
        {
            table.AddRow(
                new Text(Formats.OneLine(g.Device)),
                new Text(g.Address),
                new Text(Formats.OneLine(g.Firmware)),
                new Text(Formats.Uptime(g.Uptime)),
                new Text(g.Listeners.Count == 0 ? "(none)" : string.Join("\n", g.Listeners.Select(Formats.OneLine))));
        }

        terminal.Out.Write(table);
        terminal.Out.WriteLine();
        return ExitCodes.Ok;
    }

    /// <summary>The gateways found as a JSON array, one object per device.</summary>
    public static string ToJson(IReadOnlyList<DiscoveredGateway> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var g in found)
            {
                w.WriteStartObject();
                w.WriteString("device", g.Device);
                w.WriteString("address", g.Address);
                w.WriteString("firmware", g.Firmware);
                w.WriteNumber("uptime", g.Uptime);
                w.WriteStartArray("listeners");
                foreach (var l in g.Listeners)
                {
                    w.WriteStringValue(l);
                }

                w.WriteEndArray();
                w.WriteNumber("beacons", g.Beacons);
                w.WriteString("lastSeen", g.LastSeen.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
