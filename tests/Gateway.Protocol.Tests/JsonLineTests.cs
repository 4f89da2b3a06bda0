using System.Text;
using System.Text.Json;
using Gateway.Protocol;

namespace Gateway.Protocol.Tests;

/// <summary>
/// The journal's and the audit's lines come from <see cref="JsonLine"/>: the same bytes a fresh
/// <see cref="Utf8JsonWriter"/> writes, without the 4 KiB a fresh writer's buffer costs each time.
/// </summary>
public class JsonLineTests
{
    private static readonly Action<Utf8JsonWriter> Members = json =>
    {
        json.WriteString("at", "2026-12-07T16:44:33.2619000Z");
        json.WriteString("key", "bench");
        json.WriteString("sig", "a+b/c==<&>'\"é\u2028"); // the default encoder escapes these
        json.WritePropertyName("args");
        json.WriteRawValue("""{"output":"relay","on":true}""");
        json.WriteNumber("ms", 0.125);
    };

    [Fact]
    public void A_line_is_what_a_fresh_writer_writes_followed_by_a_line_feed()
    {
        var line = JsonLine.Build(Members);

        Assert.Equal(Fresh(Members) + "\n", Encoding.UTF8.GetString(line));
    }

    [Fact]
    public void Lines_built_one_after_another_on_one_thread_do_not_carry_anything_over()
    {
        var first = JsonLine.Build(json => json.WriteString("long", new string('x', 70_000)));
        var second = JsonLine.Build(json => json.WriteString("id", "b1"));

        Assert.Equal(Fresh(json => json.WriteString("long", new string('x', 70_000))) + "\n", Encoding.UTF8.GetString(first));
        Assert.Equal("{\"id\":\"b1\"}\n", Encoding.UTF8.GetString(second));
    }

    [Fact]
    public void A_line_built_inside_another_comes_out_whole_and_so_does_the_outer_one()
    {
        byte[]? inner = null;
        var outer = JsonLine.Build(json =>
        {
            json.WriteString("a", "1");
            inner = JsonLine.Build(nested => nested.WriteString("b", "2"));
            json.WriteString("c", MessageWriter.ToJson(new PongMessage()));
        });

        Assert.Equal("{\"b\":\"2\"}\n", Encoding.UTF8.GetString(inner!));
        Assert.Equal("{\"a\":\"1\",\"c\":\"{\\u0022type\\u0022:\\u0022pong\\u0022}\"}\n", Encoding.UTF8.GetString(outer));
    }

    [Fact]
    public void A_line_that_fails_halfway_leaves_the_next_line_clean()
    {
        Assert.Throws<InvalidOperationException>(() => JsonLine.Build(json =>
        {
            json.WriteString("a", "1");
            json.WriteEndArray(); // invalid: no array open
        }));

        Assert.Equal("{\"b\":2}\n", Encoding.UTF8.GetString(JsonLine.Build(json => json.WriteNumber("b", 2))));
    }

    [Fact]
    public void A_small_line_allocates_about_its_own_size_not_a_fresh_writers_buffer()
    {
        JsonLine.Build(Members); // this thread's buffer and writer, once
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            JsonLine.Build(Members);
        }

        var perLine = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.True(perLine < 512, $"{perLine} bytes per line (a fresh Utf8JsonWriter over a fresh buffer: ~5,500)");
    }

    private static string Fresh(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
