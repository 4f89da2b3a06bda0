using System.Buffers;
using System.Text.Json;

namespace Gateway.Protocol;

/// <summary>
/// One JSON object as an NDJSON line (<c>{…}\n</c>) in a right-sized array, written through a buffer and a
/// <see cref="Utf8JsonWriter"/> kept per thread. A <see cref="Utf8JsonWriter"/> asks its output for at least 4 KiB
/// whenever it grows, so a fresh writer over a fresh buffer cost ~4.4 KB per line: with four such lines per command
/// (journal admit, journal result, the result's text, audit) that was most of a command's allocation, and the
/// collections it set off made the round trip's p99 (docs/benchmarks.md).
/// </summary>
public static class JsonLine
{
    private const int ScratchBytes = 16 * 1024;

    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>
    /// <c>{</c>, what <paramref name="members"/> writes, <c>}</c> and a line feed, with the writer's default options
    /// (validation on, the default encoder's escaping). Safe to nest (a call inside <paramref name="members"/> takes a
    /// buffer of its own), though a nested call allocates one.
    /// </summary>
    public static byte[] Build(Action<Utf8JsonWriter> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        return Use(members, static (scratch, members) =>
        {
            var json = scratch.Json;
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
            json.Flush();
            var line = new byte[scratch.Buffer.WrittenCount + 1];
            scratch.Buffer.WrittenSpan.CopyTo(line);
            line[^1] = (byte)'\n';
            return line;
        });
    }

    /// <summary>What <paramref name="write"/> puts in a buffer, as text (this thread's buffer; nests like <see cref="Build"/>).</summary>
    internal static string Text(Action<IBufferWriter<byte>> write) =>
        Use(write, static (scratch, write) =>
        {
            write(scratch.Buffer);
            return System.Text.Encoding.UTF8.GetString(scratch.Buffer.WrittenSpan);
        });

    private static T Use<TState, T>(TState state, Func<Scratch, TState, T> work)
    {
        var scratch = t_scratch ?? new Scratch();
        t_scratch = null; // taken: a nested call gets its own
        scratch.Buffer.ResetWrittenCount();
        scratch.Json.Reset();
        try
        {
            return work(scratch, state);
        }
        finally
        {
            // An unusually large line grew the buffer: let it go rather than keep it for the thread's life.
            t_scratch = scratch.Buffer.Capacity <= 4 * ScratchBytes ? scratch : null;
        }
    }

    private sealed class Scratch
    {
        public Scratch()
        {
            Buffer = new ArrayBufferWriter<byte>(ScratchBytes);
            Json = new Utf8JsonWriter(Buffer);
        }

        public ArrayBufferWriter<byte> Buffer { get; }

        public Utf8JsonWriter Json { get; }
    }
}
