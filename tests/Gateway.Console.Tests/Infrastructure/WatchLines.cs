using System.Text.Json;

namespace Gateway.Console.Tests.Infrastructure;

/// <summary>What the lines of <c>gwctl watch</c> must be, whichever transport brought them.</summary>
internal static class WatchLines
{
    /// <summary>Every line of a <c>watch --json</c> is one message of <paramref name="device"/>'s with a seq.</summary>
    public static void AssertJsonFrom(string device, IEnumerable<string> lines) => Assert.All(lines, line =>
    {
        using var doc = JsonDocument.Parse(line);
        Assert.Equal(device, doc.RootElement.GetProperty("device").GetString());
        Assert.True(doc.RootElement.GetProperty("seq").GetInt64() > 0, line);
    });
}
