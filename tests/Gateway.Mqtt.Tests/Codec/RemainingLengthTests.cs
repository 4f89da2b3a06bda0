using System.Buffers;
using Gateway.Mqtt.Framing;

namespace Gateway.Mqtt.Tests.Codec;

/// <summary>MQTT-2.2.3 remaining length: the boundaries where the encoding grows a byte, and the end of the range.</summary>
public sealed class RemainingLengthTests
{
    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8001")]
    [InlineData(16_383, "FF7F")]
    [InlineData(16_384, "808001")]
    [InlineData(2_097_151, "FFFF7F")]
    [InlineData(2_097_152, "80808001")]
    [InlineData(268_435_455, "FFFFFF7F")]
    public void Each_boundary_encodes_to_the_specifications_bytes_and_decodes_back(int value, string hex)
    {
        var buffer = new byte[4];
        var written = MqttRemainingLength.Encode(value, buffer);

        Assert.Equal(hex, Hex.Of(buffer.AsSpan(0, written)));
        Assert.Equal(written, MqttRemainingLength.GetEncodedSize(value));
        Assert.True(MqttRemainingLength.TryRead(Convert.FromHexString(hex), out var decoded, out var consumed));
        Assert.Equal(value, decoded);
        Assert.Equal(written, consumed);
    }

    [Fact]
    public void A_remaining_length_of_128_takes_two_bytes() => Assert.Equal(2, MqttRemainingLength.GetEncodedSize(128));

    [Theory]
    [InlineData(268_435_456)]
    [InlineData(-1)]
    public void A_length_beyond_268435455_is_a_typed_error_naming_the_clause(int value)
    {
        var error = Assert.Throws<MqttProtocolViolationException>(() => MqttRemainingLength.Encode(value, new byte[8]));
        Assert.Equal("MQTT-2.2.3", error.Clause);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fifth_length_byte_is_a_typed_error_MQTT_2_2_3()
    {
        var error = Assert.Throws<MqttProtocolViolationException>(() => MqttRemainingLength.TryRead(Hex.Bytes("FF FF FF FF 01"), out _, out _));
        Assert.Equal("MQTT-2.2.3: remaining length exceeds 4 bytes (the fourth byte has its continuation bit set)", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("FF FF")]
    [InlineData("FF FF FF")]
    public void An_unfinished_length_asks_for_more_bytes(string hex)
    {
        Assert.False(MqttRemainingLength.TryRead(Hex.Bytes(hex), out _, out _));

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Hex.Bytes(hex)));
        Assert.False(MqttRemainingLength.TryRead(ref reader, out _));
        Assert.Equal(0, reader.Consumed);
    }
}
