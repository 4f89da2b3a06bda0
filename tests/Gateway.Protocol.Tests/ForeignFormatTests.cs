using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Protocol;

namespace Gateway.Protocol.Tests;

public class ForeignFormatTests
{
    private static readonly ReadingMessage Reading = new("pi 01", 7, new DateTimeOffset(2026, 11, 23, 6, 30, 54, 474, TimeSpan.Zero), "env,a=b", "temperature", 21.5, "Cel");

    [Fact]
    public void Influx_line_protocol_escapes_tags_and_uses_nanoseconds()
    {
        var buffer = new ArrayBufferWriter<byte>();
        InfluxLineProtocol.WriteLine(Reading, buffer);

        Assert.Equal(
            "temperature,device=pi\\ 01,sensor=env\\,a\\=b,unit=Cel value=21.5,seq=7i 1795415454474000000\n",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void SenML_is_a_one_record_pack_with_base_name_unit_value_and_time_in_seconds()
    {
        var buffer = new ArrayBufferWriter<byte>();
        SenML.WriteLine(Reading with { Device = "pi-01", Sensor = "env" }, buffer);
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        using var pack = JsonDocument.Parse(text);
        var record = Assert.Single(pack.RootElement.EnumerateArray());
        Assert.Equal("pi-01:env:", record.GetProperty("bn").GetString());
        Assert.Equal("temperature", record.GetProperty("n").GetString());
        Assert.Equal("Cel", record.GetProperty("u").GetString());
        Assert.Equal(21.5, record.GetProperty("v").GetDouble());
        Assert.Equal(1795415454.474, record.GetProperty("t").GetDouble(), 3);
    }

    [Fact]
    public void A_value_the_formats_cannot_carry_writes_nothing()
    {
        var buffer = new ArrayBufferWriter<byte>();
        InfluxLineProtocol.WriteLine(Reading with { Value = double.NaN }, buffer);
        SenML.WriteLine(Reading with { Value = double.PositiveInfinity }, buffer);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Influx_lines_in_milliseconds_for_the_http_write_apis_precision_ms()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(InfluxLineProtocol.WriteReading("pi-01", 7, Reading.Timestamp, "env", "temperature", 21.5, string.Empty, InfluxPrecision.Milliseconds, buffer));

        Assert.Equal("temperature,device=pi-01,sensor=env value=21.5,seq=7i 1795415454474\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void A_health_change_is_its_own_measurement_with_quoted_and_escaped_string_fields()
    {
        var buffer = new ArrayBufferWriter<byte>();
        InfluxLineProtocol.WriteHealth("pi-01", 9, Reading.Timestamp, "env", "failed", "no acknowledge at 0x76: \"NACK\" \\ retry\nlater", InfluxPrecision.Milliseconds, buffer);

        Assert.Equal(
            "gateway_health,device=pi-01,sensor=env state=\"failed\",message=\"no acknowledge at 0x76: \\\"NACK\\\" \\\\ retry later\",seq=9i 1795415454474\n",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void A_gap_is_announced_as_a_point_with_its_range_count_and_reason()
    {
        var buffer = new ArrayBufferWriter<byte>();
        InfluxLineProtocol.WriteGap("pi-01", 10, 14, "rejected", Reading.Timestamp, InfluxPrecision.Milliseconds, buffer);

        Assert.Equal("gateway_gap,device=pi-01,reason=rejected from=10i,to=14i,count=5i 1795415454474\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Influx_lines_carry_any_unicode_as_utf8_and_a_lone_surrogate_as_the_replacement_character()
    {
        var buffer = new ArrayBufferWriter<byte>();
        InfluxLineProtocol.WriteReading("küche 🌡", 1, Reading.Timestamp, "a\ud800b", "température", 1.25, "°C", InfluxPrecision.Milliseconds, buffer);
        InfluxLineProtocol.WriteHealth("pi", 2, Reading.Timestamp, "s", "failed", "Fühler \"weg\" 🔥", InfluxPrecision.Milliseconds, buffer);

        Assert.Equal(
            "température,device=küche\\ 🌡,sensor=a\ufffdb,unit=°C value=1.25,seq=1i 1795415454474\n"
            + "gateway_health,device=pi,sensor=s state=\"failed\",message=\"Fühler \\\"weg\\\" 🔥\",seq=2i 1795415454474\n",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Influx_values_keep_their_shortest_round_trip_form()
    {
        var buffer = new ArrayBufferWriter<byte>();
        InfluxLineProtocol.WriteReading("pi", 1, Reading.Timestamp, "s", "q", 0.1 + 0.2, string.Empty, InfluxPrecision.Milliseconds, buffer);
        InfluxLineProtocol.WriteReading("pi", 2, Reading.Timestamp, "s", "q", -1e-300, string.Empty, InfluxPrecision.Milliseconds, buffer);

        Assert.Equal("q,device=pi,sensor=s value=0.30000000000000004,seq=1i 1795415454474\nq,device=pi,sensor=s value=-1E-300,seq=2i 1795415454474\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
