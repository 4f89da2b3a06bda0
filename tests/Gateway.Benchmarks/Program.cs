using System.Globalization;
using Gateway.Benchmarks;

// Usage: dotnet run -c Release --project tests/Gateway.Benchmarks -- outbox|link [readings]
if (args.Length == 0 || args[0] is not ("outbox" or "link"))
{
    Console.Error.WriteLine("usage: Gateway.Benchmarks outbox|link [readings, default 1000000]");
    return 64;
}

var readings = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
return args[0] == "outbox" ? await OutboxBenchmark.RunAsync(readings) : await LinkBenchmark.RunAsync(readings);
