using Gateway.Console.Views;
using Gateway.Protocol;

namespace Gateway.Console.Tests.Unit;

public sealed class FormatsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 6, 30, 54, 474, TimeSpan.Zero);

    [Fact]
    public void A_reading_is_one_line_with_time_device_seq_sensor_quantity_value_and_unit()
    {
        Assert.Equal("2026-11-23T06:30:54.474Z pi-01 #1201 env temperature 21.5 Cel", Formats.Line(new ReadingMessage("pi-01", 1201, At, "env", "temperature", 21.5, "Cel")));
        Assert.Equal("2026-11-23T06:30:54.474Z pi-01 #7 env health failed: no acknowledge from i2c-1@0x76", Formats.Line(new EventMessage("pi-01", 7, At, "env", "health", "failed: no acknowledge from i2c-1@0x76")));
    }

    [Fact]
    public void Text_from_a_peer_cannot_break_the_line_or_drive_the_terminal()
    {
        var hostile = new ReadingMessage("pi-01", 1, At, "env\u001b[2J", "temp\nerature", 1, "C\rel");

        var line = Formats.Line(hostile);

        Assert.DoesNotContain('\u001b', line);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
    }

    [Theory]
    [InlineData(21.53, "21.53")]
    [InlineData(100947.65625, "100947.6563")]
    [InlineData(0.0, "0")]
    [InlineData(-3.5, "-3.5")]
    [InlineData(1.5e-7, "1.5E-07")]
    [InlineData(2.5e12, "2.5E+12")]
    [InlineData(double.NaN, "null")]
    public void Values_are_compact(double value, string text)
    {
        Assert.Equal(text, Formats.Value(value));
    }

    [Theory]
    [InlineData("failed: no acknowledge", "failed")]
    [InlineData("ok: recovered", "ok")]
    [InlineData("failing", "failing")]
    public void The_health_state_is_the_word_before_the_colon(string message, string state)
    {
        Assert.Equal(state, Formats.HealthState(message));
    }

    [Theory]
    [InlineData(5, "5s")]
    [InlineData(125, "2m")]
    [InlineData(7200, "2h")]
    [InlineData(3 * 86400, "3d")]
    public void Ages_are_short(int seconds, string text)
    {
        Assert.Equal(text, Formats.Age(TimeSpan.FromSeconds(seconds)));
    }
}
