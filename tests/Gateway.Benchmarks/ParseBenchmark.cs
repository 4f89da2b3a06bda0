using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Gateway.Protocol.Transport;

namespace Gateway.Benchmarks;

/// <summary>
/// The inbound parse alone (<see cref="Inbound.Parse(ReadOnlySpan{byte})"/>, what every link, listener and gwctl runs on
/// each line): nanoseconds and managed bytes allocated per parse, for the lines a peer sends most (a reading, an ack,
/// a signed command) and for hostile ones. One thread, no I/O; each line is warmed up, then parsed a fixed number of
/// times (bounded: at most <c>iterations</c> parses and about a second per line).
/// </summary>
internal static class ParseBenchmark
{
    private static readonly TimeSpan PerLine = TimeSpan.FromSeconds(1);

    public static int Run(int iterations)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"inbound parse, {iterations:N0} parses per line at most (~{PerLine.TotalSeconds:0} s each), one thread"));
        Console.WriteLine($"{"line",-28} {"bytes",6} {"ns/parse",10} {"B/parse",9}  outcome");
        var lines = Lines().ToList();
        for (var round = 0; round < 5; round++)
        {
            foreach (var (_, line) in lines)
            {
                for (var i = 0; i < 10_000; i++)
                {
                    Inbound.Parse(line); // warm-up of every path first: tiered JIT reaches its optimised code
                }
            }
        }

        foreach (var (name, line) in lines)
        {
            Measure(name, line, iterations);
        }

        return 0;
    }

    private static void Measure(string name, byte[] line, int iterations)
    {
        var outcome = Outcome(Inbound.Parse(line));
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var done = 0;
        while (done < iterations && clock.Elapsed < PerLine)
        {
            for (var i = 0; i < 1_000 && done < iterations; i++, done++)
            {
                Inbound.Parse(line);
            }
        }

        var elapsed = clock.Elapsed;
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)done;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-28} {line.Length,6} {elapsed.TotalNanoseconds / done,10:N0} {bytes,9:N0}  {outcome}"));
    }

    private static string Outcome(Inbound inbound) =>
        inbound.Problem is { } problem ? "problem " + problem.Code : inbound.Message!.Type;

    private static IEnumerable<(string Name, byte[] Line)> Lines()
    {
        var ts = new DateTimeOffset(2026, 11, 23, 6, 30, 54, 474, TimeSpan.Zero);
        yield return ("reading", Json(new ReadingMessage("pi-01", 1_234_567, ts, "env", "temperature", 21.53, "Cel")));
        yield return ("ack", Json(new AckMessage(1_234_567)));
        var secret = Convert.FromBase64String("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        yield return ("signed command", Json(CommandSigning.Create("operator", secret, "gw-01", "c-0001", "output.set", """{"output":"relay","on":true,"for":"5s"}""", ts, "00112233445566778899aabbccddeeff")));
        yield return ("result with data", Json(new ResultMessage("c-0001", true, Data: """{"on":true,"output":"relay"}""")));
        yield return ("peer's error", Json(new ErrorMessage(ErrorCodes.BadField, "ack for seq 9 was never sent")));
        yield return ("hostile: invalid UTF-8", [.. "{\"type\":\"ack\",\"seq\":1,\"x\":\""u8, 0xC3, 0x28, .. "\"}"u8]);
        yield return ("hostile: malformed JSON", Encoding.UTF8.GetBytes("""{"type":"reading","device":"pi-01","seq":1,"ts":"2026-11-23T06:30:54.474Z","sensor":"env",}"""));
        yield return ("hostile: duplicate name", Encoding.UTF8.GetBytes("""{"type":"ack","seq":1,"seq":2}"""));
        yield return ("hostile: lone surrogate", Encoding.UTF8.GetBytes("""{"type":"reading","device":"\ud800","seq":1,"ts":"2026-11-23T06:30:54.474Z","sensor":"s","quantity":"q","value":1,"unit":"u"}"""));
        yield return ("hostile: too deep", Encoding.UTF8.GetBytes("""{"type":"ping","x":[[[[[[[[[[1]]]]]]]]]]}"""));
        yield return ("hostile: unknown type", Encoding.UTF8.GetBytes("""{"type":"teleport","to":"mars"}"""));
        yield return ("hostile: 4 KiB of garbage", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("n\u0001\"", 4096 / 3))));
    }

    private static byte[] Json(Message message) => Encoding.UTF8.GetBytes(MessageWriter.ToJson(message));
}
