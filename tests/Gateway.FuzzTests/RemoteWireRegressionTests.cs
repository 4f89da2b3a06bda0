using System.Text;
using Gateway.Hardware.Remote;

namespace Gateway.FuzzTests;

/// <summary>Findings of the remote-server fuzz target, kept as tests.</summary>
public sealed class RemoteWireRegressionTests
{
    [Fact]
    public void A_malformed_request_line_gets_a_short_bad_request_that_does_not_echo_the_line()
    {
        // remote-server long run, seed 2026, input 742211: 64 KiB of an invalid literal was quoted whole in the answer.
        var line = string.Concat(Enumerable.Repeat("t\u00f8\u0088h\"}", 64 * 1024 / 6));

        var refused = Assert.Throws<InvalidDataException>(() => RemoteWire.ParseRequest(line));

        Assert.True(refused.Message.Length <= 300, $"the answer is {refused.Message.Length} characters long for a {Encoding.UTF8.GetByteCount(line)}-byte line");
    }
}
