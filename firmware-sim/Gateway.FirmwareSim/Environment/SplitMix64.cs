namespace Gateway.FirmwareSim.Environment;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fully specified generator, so a seed gives the same numbers on every
/// machine and .NET version (System.Random's algorithm is not guaranteed stable). Stateless use: <see cref="At"/>.
/// </summary>
public static class SplitMix64
{
    /// <summary>The mixing function applied to <paramref name="x"/>.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>A uniform double in [0, 1) for (seed, stream, index): the same inputs always give the same number.</summary>
    public static double At(long seed, int stream, long index) =>
        (Mix(Mix((ulong)seed ^ ((ulong)stream << 48)) ^ (ulong)index) >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal number for (seed, stream, index), by Box–Muller from two uniforms.</summary>
    public static double Normal(long seed, int stream, long index)
    {
        var u1 = Math.Max(At(seed, stream, 2 * index), 1e-12);
        var u2 = At(seed, stream, (2 * index) + 1);
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
