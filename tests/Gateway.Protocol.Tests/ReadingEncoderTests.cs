using System.Buffers;
using System.Text;
using Gateway.Protocol;

namespace Gateway.Protocol.Tests;

/// <summary>The encoder a link drains with writes exactly what <see cref="MessageWriter"/> writes for the same reading.</summary>
public class ReadingEncoderTests
{
    private static readonly DateTimeOffset Ts = new(2026, 11, 23, 6, 30, 54, 474, TimeSpan.Zero);

    public static TheoryData<double> Values() =>
    [
        0, -0.0, 21.5, -21.5, 1, 1e-7, 1e21, 1e300, -1e-300, double.Epsilon, double.MaxValue, double.MinValue,
        0.1 + 0.2, 1.0 / 3, 101325.123456789, 123456789012345678, 4.2e-5, 65535, -40, 2.5e15,
        double.NaN, double.PositiveInfinity, double.NegativeInfinity,
    ];

    [Theory]
    [MemberData(nameof(Values))]
    public void A_reading_is_written_byte_for_byte_as_the_message_writer_writes_it(double value)
    {
        var reading = new ReadingMessage("pi-01", 42, Ts, "env", "temperature", value, "Cel");

        Assert.Equal(MessageWriter.ToJson(reading), Encode(new ReadingEncoder("pi-01"), reading));
    }

    [Fact]
    public void Strings_that_need_escaping_are_escaped_as_the_message_writer_escapes_them()
    {
        var reading = new ReadingMessage("pi \"01\"\\ <&>", long.MaxValue, Ts, "ø-sensor\n\u0001", "temp'°", 1.5, "µg/m³ +");

        Assert.Equal(MessageWriter.ToJson(reading), Encode(new ReadingEncoder(reading.Device), reading));
    }

    [Fact]
    public void Many_series_times_and_seqs_through_one_encoder_match_the_message_writer()
    {
        var encoder = new ReadingEncoder("dev");
        var random = new Random(17);
        string[] sensors = ["env", "door", "adc"];
        string[] quantities = ["temperature", "humidity", "health", "voltage"];
        var time = new DateTimeOffset(1999, 12, 31, 23, 59, 58, 0, TimeSpan.Zero);
        for (var i = 0; i < 5_000; i++)
        {
            time = time.AddTicks(random.Next(0, 30_000_000)); // across seconds, minutes and the year 2000, sub-milliseconds too
            var reading = new ReadingMessage(
                "dev",
                random.NextInt64(0, long.MaxValue),
                time,
                sensors[random.Next(sensors.Length)],
                // a fresh instance now and then: the same series under other strings still encodes the same
                random.Next(10) == 0 ? new string(quantities[random.Next(quantities.Length)]) : quantities[random.Next(quantities.Length)],
                (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-12, 12)),
                "Cel");

            Assert.Equal(MessageWriter.ToJson(reading), Encode(encoder, reading));
        }
    }

    [Fact]
    public void A_time_with_an_offset_is_written_in_UTC()
    {
        var reading = new ReadingMessage("d", 1, new DateTimeOffset(2026, 1, 1, 1, 0, 0, 5, TimeSpan.FromHours(2)), "s", "q", 1, "u");

        Assert.Contains("\"ts\":\"2025-12-31T23:00:00.005Z\"", Encode(new ReadingEncoder("d"), reading), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_line_ends_each_reading_with_a_line_feed()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var encoder = new ReadingEncoder("d");
        encoder.WriteLine(1, Ts, "s", "q", 1, "u", buffer);
        encoder.WriteLine(2, Ts, "s", "q", 2, "u", buffer);

        var lines = Encoding.UTF8.GetString(buffer.WrittenSpan).Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(string.Empty, lines[2]);
        Assert.Equal(2, Assert.IsType<ReadingMessage>(MessageParser.Parse(Encoding.UTF8.GetBytes(lines[1]))).Seq);
    }

    [Fact]
    public void More_series_than_the_cache_keeps_still_encode_correctly()
    {
        var encoder = new ReadingEncoder("d");
        for (var i = 0; i < ReadingEncoder.MaxSeries + 10; i++)
        {
            var reading = new ReadingMessage("d", i, Ts, $"s{i}", "q", i, "u");
            Assert.Equal(MessageWriter.ToJson(reading), Encode(encoder, reading));
        }
    }

    private static string Encode(ReadingEncoder encoder, ReadingMessage r)
    {
        var buffer = new ArrayBufferWriter<byte>();
        encoder.Write(r.Seq, r.Timestamp, r.Sensor, r.Quantity, r.Value, r.Unit, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
