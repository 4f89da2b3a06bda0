using System.Globalization;
using Gateway.Benchmarks;

// Usage: dotnet run -c Release --project tests/Gateway.Benchmarks -- outbox|link [readings] | command [count] [rate] [name]
if (args.Length == 0 || args[0] is not ("outbox" or "link" or "command"))
{
    Console.Error.WriteLine("usage: Gateway.Benchmarks outbox|link [readings, default 1000000] | command [count, default 10000] [rate/s, default 1000] [name, default ping] [gateway options…]");
    return 64;
}

if (args[0] == "command")
{
    return await CommandBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000,
        args.Length > 3 ? args[3] : "ping",
        [.. args.Skip(4)]);
}

var readings = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
return args[0] == "outbox" ? await OutboxBenchmark.RunAsync(readings) : await LinkBenchmark.RunAsync(readings);
