using System.Text.RegularExpressions;
using Gateway.Console.Keys;
using Gateway.Console.Tests.Infrastructure;

namespace Gateway.Console.Tests.Unit;

public sealed partial class KnownCommandsTests
{
    [Fact]
    public void The_commands_gwctl_knows_are_the_protocol_documents_built_in_commands()
    {
        var doc = File.ReadAllText(Path.Combine(Paths.Root, "docs", "protocol.md"));
        var start = doc.IndexOf("**Built-in commands.**", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/protocol.md has no 'Built-in commands' table");
        var table = doc[start..].Split("\n\n", 3)[1];

        var documented = Row().Matches(table).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(documented, KnownCommands.All);
        Assert.All(KnownCommands.OperatorDefault, c => Assert.Contains(c, KnownCommands.All));
    }

    [GeneratedRegex(@"^\| `([a-z.]+)` \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
