using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Gateway.Protocol;

namespace Gateway.Benchmarks.Upstreams;

/// <summary>
/// The TCP receiver: NDJSON lines on a loopback port. Acknowledging, it sends one cumulative ack after each read
/// (for everything parsed so far), so acks come as often as the data arrives in separate reads.
/// </summary>
internal sealed class TcpBenchUpstream : LoopbackBenchUpstream
{
    /// <summary>Starts listening on a free loopback port.</summary>
    public TcpBenchUpstream(bool acknowledge, LatencyHistogram? latency = null)
        : base(acknowledge, latency)
    {
    }

    /// <inheritdoc/>
    protected override async Task Serve(NetworkStream stream, CancellationToken token)
    {
        var reader = PipeReader.Create(stream);
        var ack = new ArrayBufferWriter<byte>();
        long acked = 0;
        while (true)
        {
            var result = await reader.ReadAsync(token);
            var buffer = result.Buffer;
            long last = -1;
            var pinged = false;
            while (NdjsonFraming.TryReadLine(ref buffer, ProtocolInfo.DefaultMaxLineLength, out var line) == LineStatus.Line)
            {
                var seq = Take(line.IsSingleSegment ? line.FirstSpan : line.ToArray(), out var ping);
                last = Math.Max(last, seq);
                pinged |= ping;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            ack.Clear();
            if (Acknowledge && last > acked)
            {
                MessageWriter.WriteLine(new AckMessage(last), ack);
                acked = last;
                CountAck();
            }

            if (pinged)
            {
                MessageWriter.WriteLine(new PongMessage(), ack);
            }

            if (ack.WrittenCount > 0)
            {
                await stream.WriteAsync(ack.WrittenMemory, token);
            }

            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
