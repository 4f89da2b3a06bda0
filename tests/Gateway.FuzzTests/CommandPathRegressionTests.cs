using System.Text;
using Gateway.FuzzTests.Targets;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.FuzzTests;

/// <summary>Issue 14 on the command path, through the real pipeline the fuzz target builds: hostile args get a result with the id.</summary>
public sealed class CommandPathRegressionTests
{
    [Theory]
    [InlineData("""{"output":"\ud800","on":true}""", "lone surrogate")]
    [InlineData("""{"output":"led","output":"relay","on":true}""", "duplicate name 'output' in 'args'")]
    public void A_command_with_hostile_args_and_a_bogus_signature_gets_a_bad_field_result_with_its_id(string args, string expected)
    {
        using var target = new CommandPipelineTarget();
        var line = $$"""{"type":"command","id":"c-11","device":"gw-01","name":"output.set","args":{{args}},"key":"operator","ts":"2026-11-23T09:00:00.000Z","nonce":"nonce-0011-0000","sig":"{{new string('0', 64)}}"}""";
        var command = Assert.IsType<CommandMessage>(MessageParser.Parse(Encoding.UTF8.GetBytes(line)));

        var result = target.Handle(command);

        Assert.Equal("c-11", result.Id);
        Assert.False(result.Ok);
        Assert.Equal(ResultCodes.BadField, result.Code);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
    }
}
