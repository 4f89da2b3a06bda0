using System.Text.Json;
using Gateway.FuzzTests.Engine;

namespace Gateway.FuzzTests;

/// <summary>The fuzzer itself: it must be able to fail, and be reproducible.</summary>
public sealed class FuzzEngineTests
{
    [Fact]
    public void The_fuzzer_finds_the_lone_surrogate_crash_of_issue_14_in_a_parser_that_has_it()
    {
        // What MessageParser did before issue 14: JsonElement.GetString() on every string, catching only JsonException.
        var report = FuzzRunner.Run(new GetStringEverywhere(), new FuzzSettings(FuzzSettings.DefaultSeed, null, null), 3_000);

        Assert.Contains(report.Findings, f => f.Problem.StartsWith("System.InvalidOperationException", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_seed_gives_the_same_inputs()
    {
        var corpus = Corpus.ProtocolMessages();
        var a = new Mutator(7, corpus, 4096);
        var b = new Mutator(7, corpus, 4096);

        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(a.Next(), b.Next());
        }
    }

    private sealed class GetStringEverywhere : IFuzzTarget
    {
        public string Name => "engine-self-test";

        public IReadOnlyList<byte[]> Corpus { get; } = Engine.Corpus.ProtocolMessages();

        public int MaxInputBytes => 4096;

        public bool Synchronous => true;

        public long AllocationLimit(int length) => long.MaxValue;

        public string Run(byte[] input)
        {
            try
            {
                using var document = JsonDocument.Parse(input);
                Visit(document.RootElement);
                return "parsed";
            }
            catch (JsonException)
            {
                return "malformed";
            }
        }

        private static void Visit(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in element.EnumerateObject())
                    {
                        Visit(p.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Visit(item);
                    }

                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }
        }
    }
}
