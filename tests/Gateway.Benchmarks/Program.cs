using System.Globalization;
using Gateway.Benchmarks;
using Microsoft.Extensions.Logging;

// See docs/benchmarks.md for what each mode measures and the recorded results.
const string Usage = """
    usage: Gateway.Benchmarks outbox [readings]
           Gateway.Benchmarks link [readings] [tcp|ws|both]
           Gateway.Benchmarks e2e [seconds] [readings] [tcp|ws|both]
           Gateway.Benchmarks command [count] [rate] [name] [gateway options…]
           Gateway.Benchmarks mqtt [readings] [window]
           Gateway.Benchmarks influx [readings]
           Gateway.Benchmarks parse [iterations]

      outbox  the outbox alone: accept, sustained store, commits, replay (readings default 1000000)
      link    per transport, a backlog of stored readings drained by the real link to an acking receiver vs
              the same messages over a raw socket / WebSocket (readings default 1000000; default both)
      e2e     the default board's sensors at full rate through the sampler alone for the given seconds
              (default 20); then per transport, the same through the outbox and the live link to an acking
              receiver, and the pipeline's capacity: a producer feeding the sampler's sink as fast as the live
              link keeps up, for the given readings (default 1000000), vs the same messages over the raw
              transport (default both)
      command signed commands paced over the TCP listener of a real gateway: round trip p50/p99/max (beside a raw
              peer that answers at once, same client) and the
              gateway's CPU per command (count: 10000, rate/s: 1000, name: ping)
      mqtt    through a real mosquitto: the MQTT link draining stored readings (QoS 1) vs mosquitto_pub with the
              same payloads and raw pre-built PUBLISH packets, and QoS 0 (readings: 100000; window: the link's
              shipped default unless given)
      influx  through a real InfluxDB 1.x (influxd): the HTTP line-protocol link draining stored readings vs the
              same lines pre-encoded and POSTed directly, InfluxDB's own ingest rate (readings: 200000)
      parse   the inbound parse alone: ns and bytes allocated per parse for typical and hostile lines
              (iterations per line: 2000000, at most ~1 s each)
    """;

var mode = args.Length > 0 ? args[0] : string.Empty;
if (mode == "command")
{
    return await CommandBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000,
        args.Length > 3 ? args[3] : "ping",
        [.. args.Skip(4)]);
}

if (mode == "mqtt")
{
    return await MqttBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : null);
}

if (mode == "parse")
{
    return ParseBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000_000);
}

if (mode == "influx")
{
    return await InfluxBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000);
}

var rest = args.Skip(1).ToList();
Transport[] transports = [Transport.Tcp, Transport.WebSocket];
if (mode is "link" or "e2e" && rest.Count > 0 && Transports.Parse(rest[^1]) is { } chosen)
{
    transports = chosen;
    rest.RemoveAt(rest.Count - 1);
}

var numbers = new List<int>();
foreach (var text in rest)
{
    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
    {
        numbers = null;
        break;
    }

    numbers.Add(n);
}

if (mode is not ("outbox" or "link" or "e2e") || numbers is null || numbers.Count > (mode == "e2e" ? 2 : 1))
{
    Console.Error.WriteLine(Usage);
    return 64;
}

// Warnings and errors only (a link going down, a sensor failing): a clean run prints nothing from the gateway.
using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
return mode switch
{
    "outbox" => await OutboxBenchmark.RunAsync(numbers.Count > 0 ? numbers[0] : 1_000_000),
    "link" => await LinkBenchmark.RunAsync(numbers.Count > 0 ? numbers[0] : 1_000_000, transports, loggers),
    _ => await EndToEndBenchmark.RunAsync(numbers.Count > 0 ? numbers[0] : 20, numbers.Count > 1 ? numbers[1] : 1_000_000, transports, loggers),
};
