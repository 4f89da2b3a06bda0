using System.Diagnostics;
using System.Globalization;
using Gateway.Outbox;
using Gateway.Sampling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Benchmarks;

/// <summary>
/// The outbox under load: sustained append rate with group commit, commits per second at that rate, replay rate
/// from a cursor, bytes on disk per reading, and allocations per reading on the hot path (Accept).
/// Bounded: a fixed number of readings and a time limit.
/// </summary>
internal static class OutboxBenchmark
{
    public static async Task<int> RunAsync(int readings)
    {
        var dir = Directory.CreateTempSubdirectory("gw-bench-").FullName;
        try
        {
            // Memory bound above the run, so that nothing is dropped: the measure is how fast batches commit.
            var options = new OutboxOptions { Path = Path.Combine(dir, "gateway.db"), MaxBytes = 16L << 30, MemoryLimit = readings + 100_000 };
            var outbox = new Outbox.Outbox(options, TimeProvider.System, NullLogger<Outbox.Outbox>.Instance);
            outbox.Start();
            string[] sensors = ["env", "climate", "light", "analog", "water", "door", "flow"];
            string[] quantities = ["temperature", "humidity", "pressure"];
            var t0 = DateTimeOffset.UtcNow;

            // Warm up the JIT and the statement cache, then measure.
            for (var i = 0; i < 10_000; i++)
            {
                outbox.Accept(new SampledReading(sensors[i % 7], quantities[i % 3], i, "Cel", t0));
            }

            await outbox.WaitForCommitAsync(outbox.LastCommitted + 9_999, CancellationToken.None);
            var commitsBefore = outbox.Figures.Commits;
            var firstSeq = outbox.LastCommitted;

            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < readings; i++)
            {
                outbox.Accept(new SampledReading(sensors[i % 7], quantities[i % 3], 20 + (i % 1000 * 0.01), "Cel", t0.AddMilliseconds(i)));
            }

            var acceptElapsed = clock.Elapsed;
            var allocatedPerReading = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)readings;
            using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
            {
                await outbox.WaitForCommitAsync(firstSeq + readings - 1, limit.Token);
            }

            var storeElapsed = clock.Elapsed;
            var commits = outbox.Figures.Commits - commitsBefore;

            // Replay from a cursor, as a link catching up does (the reader under OutboxCursor.TryRead, same query).
            clock.Restart();
            long replayed = 0;
            var replayAllocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            using (var reader = OutboxReader.Open(outbox.DatabasePath))
            {
                var cursor = firstSeq;
                var chunk = new List<StoredRecord>();
                while (reader.ReadAfter(cursor, 10_000, chunk) > 0)
                {
                    replayed += chunk.Count;
                    cursor = chunk[^1].Seq;
                }
            }

            var replayElapsed = clock.Elapsed;
            var replayAllocatedPerRow = (GC.GetAllocatedBytesForCurrentThread() - replayAllocatedBefore) / (double)replayed;
            // Paced: 200,000 readings/s for 3 s, in 1 ms steps, to count commits per second at that rate.
            var pacedCommitsBefore = outbox.Figures.Commits;
            var pacedFirst = outbox.LastCommitted;
            clock.Restart();
            var sent = 0;
            var pacedAllocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            while (clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                var due = (int)(clock.Elapsed.TotalSeconds * 200_000);
                for (; sent < due; sent++)
                {
                    outbox.Accept(new SampledReading(sensors[sent % 7], quantities[sent % 3], sent, "Cel", t0));
                }

                Thread.Sleep(1);
            }

            var pacedAllocatedPerReading = (GC.GetAllocatedBytesForCurrentThread() - pacedAllocatedBefore) / (double)sent;
            await outbox.WaitForCommitAsync(pacedFirst + sent - 1, CancellationToken.None);
            var pacedSeconds = clock.Elapsed.TotalSeconds;
            var pacedCommits = outbox.Figures.Commits - pacedCommitsBefore;
            var dropped = outbox.Figures.Dropped;
            await outbox.DisposeAsync();
            var fileBytes = new FileInfo(options.Path).Length;

            var total = readings + 10_000 + sent;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                outbox benchmark: {readings:N0} readings (7 sensors x 3 quantities), SQLite WAL, synchronous=FULL, CommitInterval {options.CommitInterval.TotalMilliseconds} ms
                  accept (hot path):   {readings / acceptElapsed.TotalSeconds,12:N0} readings/s, {allocatedPerReading:0.0} bytes allocated per reading
                  sustained store:     {readings / storeElapsed.TotalSeconds,12:N0} readings/s (until the last batch committed, {storeElapsed.TotalSeconds:0.00} s)
                  commits (burst):     {commits} in {storeElapsed.TotalSeconds:0.00} s
                  commits at 200k/s:   {pacedCommits} in {pacedSeconds:0.00} s = {pacedCommits / pacedSeconds:0.0} commits/s ({sent:N0} readings paced, {pacedAllocatedPerReading:0.0} bytes allocated per reading)
                  replay from cursor:  {replayed / replayElapsed.TotalSeconds,12:N0} readings/s ({replayed:N0} rows), {replayAllocatedPerRow:0.0} bytes allocated per row
                  bytes on disk:       {fileBytes / (double)total:0.0} per reading (file {fileBytes:N0} bytes for {total:N0} readings after checkpoint)
                  dropped:             {dropped}
                """));
            return replayed == readings && dropped == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
