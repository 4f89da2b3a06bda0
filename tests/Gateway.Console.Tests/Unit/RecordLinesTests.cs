using Gateway.Console.Upstream;
using Gateway.Protocol;

namespace Gateway.Console.Tests.Unit;

public sealed class RecordLinesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 6, 30, 54, 474, TimeSpan.Zero);

    [Fact]
    public void An_ndjson_recording_holds_the_protocol_message_as_received()
    {
        var reading = new ReadingMessage("pi-01", 1201, At, "env", "temperature", 21.5, "Cel");

        var line = RecordLines.Line(RecordFormat.Ndjson, reading);

        Assert.Equal("""{"type":"reading","device":"pi-01","seq":1201,"ts":"2026-11-23T06:30:54.474Z","sensor":"env","quantity":"temperature","value":21.5,"unit":"Cel"}""", line);
        Assert.Equal(reading, MessageParser.Parse(System.Text.Encoding.UTF8.GetBytes(line)));
    }

    [Fact]
    public void A_csv_row_has_the_header_columns_and_quotes_what_rfc_4180_requires()
    {
        Assert.Equal("device,seq,ts,type,sensor,quantity,value,unit,message", RecordLines.CsvHeader);
        Assert.Equal("pi-01,7,2026-11-23T06:30:54.474Z,reading,env,temperature,21.5,Cel,", RecordLines.Line(RecordFormat.Csv, new ReadingMessage("pi-01", 7, At, "env", "temperature", 21.5, "Cel")));

        var tricky = RecordLines.Line(RecordFormat.Csv, new EventMessage("pi-01", 8, At, "env", "health", "failed: \"nack\", retrying\nsoon"));

        Assert.Equal("pi-01,8,2026-11-23T06:30:54.474Z,event,env,,,,\"health: failed: \"\"nack\"\", retrying soon\"", tricky);
        Assert.Equal(["pi-01", "8", "2026-11-23T06:30:54.474Z", "event", "env", "", "", "", "health: failed: \"nack\", retrying soon"], RecordLines.SplitCsv(tricky));
    }

    [Fact]
    public void A_value_that_is_not_finite_is_an_empty_csv_field_and_null_in_ndjson()
    {
        var reading = new ReadingMessage("pi-01", 9, At, "env", "temperature", double.NaN, "Cel");

        Assert.Contains(",temperature,,Cel,", RecordLines.Line(RecordFormat.Csv, reading), StringComparison.Ordinal);
        Assert.Contains("\"value\":null", RecordLines.Line(RecordFormat.Ndjson, reading), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ndjson")]
    [InlineData("Csv")]
    public void The_device_and_seq_of_a_recorded_line_are_read_back_and_a_gap_line_has_none(string formatName)
    {
        var format = Enum.Parse<RecordFormat>(formatName);
        var reading = RecordLines.Line(format, new ReadingMessage("pi-01", 42, At, "env", "temperature", 1, "Cel"));
        var healthEvent = RecordLines.Line(format, new EventMessage("pi-01", 43, At, "env", "health", "ok: recovered"));
        var gap = RecordLines.GapLine(format, "pi-01", new GapMessage(1, 40, "MaxBytes"), At);

        Assert.Equal(("pi-01", 42L), RecordLines.SeqOf(format, reading));
        Assert.Equal(("pi-01", 43L), RecordLines.SeqOf(format, healthEvent));
        Assert.Null(RecordLines.SeqOf(format, gap));
        Assert.Contains("1", gap, StringComparison.Ordinal);
        Assert.Contains("MaxBytes", gap, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recorded_gap_carries_its_device()
    {
        var line = RecordLines.GapLine(RecordFormat.Ndjson, "pi-01", new GapMessage(1, 500, "MaxBytes"), At);

        Assert.Equal("""{"type":"gap","device":"pi-01","from":1,"to":500,"reason":"MaxBytes"}""", line);
    }

    [Theory]
    [InlineData("out.csv", "Csv")]
    [InlineData("OUT.CSV", "Csv")]
    [InlineData("out.ndjson", "Ndjson")]
    [InlineData("out.jsonl", "Ndjson")]
    [InlineData("out", "Ndjson")]
    public void The_file_name_chooses_the_format(string path, string format)
    {
        Assert.Equal(Enum.Parse<RecordFormat>(format), RecordLines.FormatOf(path));
    }
}
