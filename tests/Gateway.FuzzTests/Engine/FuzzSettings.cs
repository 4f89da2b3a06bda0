using System.Globalization;

namespace Gateway.FuzzTests.Engine;

/// <summary>
/// How long and with which seed to fuzz. In the suite: the fixed seed 14 (the issue) and each target's fixed input
/// count. On demand (docs/testing.md): <c>FUZZ_SECONDS</c> runs each target for that long instead, <c>FUZZ_SEED</c>
/// changes the seed, <c>FUZZ_TARGET</c> runs only the named target (the others pass without running).
/// </summary>
internal sealed record FuzzSettings(int Seed, TimeSpan? Duration, string? OnlyTarget)
{
    /// <summary>The suite's seed.</summary>
    public const int DefaultSeed = 14;

    /// <summary>Reads the environment.</summary>
    public static FuzzSettings FromEnvironment()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        TimeSpan? duration = double.TryParse(Environment.GetEnvironmentVariable("FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
        var only = Environment.GetEnvironmentVariable("FUZZ_TARGET");
        return new FuzzSettings(seed, duration, string.IsNullOrWhiteSpace(only) ? null : only.Trim());
    }

    /// <summary>True when <paramref name="target"/> is to run.</summary>
    public bool Runs(string target) => OnlyTarget is null || string.Equals(OnlyTarget, target, StringComparison.OrdinalIgnoreCase);
}
