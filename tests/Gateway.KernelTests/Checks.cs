using System.Diagnostics;
using System.Globalization;

namespace Gateway.KernelTests;

/// <summary>A check whose expectation did not hold; its message is the detail printed after FAIL.</summary>
internal sealed class CheckFailedException(string message) : Exception(message);

/// <summary>
/// Runs named checks and prints one line per check to the serial console: <c>PASS name (12 ms)</c> or
/// <c>FAIL name: detail</c>. run.sh counts those lines; the failure count is the program's exit code.
/// </summary>
internal sealed class CheckRunner
{
    public int Passed { get; private set; }

    public int Failed { get; private set; }

    public void Run(string name, Action body) => RunAsync(name, () =>
    {
        body();
        return Task.CompletedTask;
    }).GetAwaiter().GetResult();

    public async Task RunAsync(string name, Func<Task> body)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await body().ConfigureAwait(false);
            Passed++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PASS {name} ({watch.ElapsedMilliseconds} ms)"));
        }
#pragma warning disable CA1031 // Every failure of a check, whatever its type, is reported as that check's FAIL line.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Failed++;
            var detail = ex is CheckFailedException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            Console.WriteLine($"FAIL {name}: {detail.ReplaceLineEndings(" | ")}");
        }
    }

    /// <summary>Prints an INFO line (not counted).</summary>
    public static void Info(string text) => Console.WriteLine($"INFO {text.ReplaceLineEndings(" | ")}");
}

/// <summary>Expectations for checks; each failure says what was expected and what was found.</summary>
internal static class Expect
{
    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new CheckFailedException($"{what}: expected {Show(expected)}, got {Show(actual)}");
        }
    }

    public static void Near(double expected, double actual, double tolerance, string what)
    {
        if (!(Math.Abs(expected - actual) <= tolerance))
        {
            throw new CheckFailedException(string.Create(CultureInfo.InvariantCulture, $"{what}: expected {expected:R} ± {tolerance}, got {actual:R}"));
        }
    }

    public static void True(bool condition, string what)
    {
        if (!condition)
        {
            throw new CheckFailedException(what);
        }
    }

    public static void Bytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        if (!expected.SequenceEqual(actual))
        {
            throw new CheckFailedException($"{what}: expected {Convert.ToHexString(expected)}, got {Convert.ToHexString(actual)}");
        }
    }

    /// <summary>Runs <paramref name="action"/> and returns the exception of exactly type <typeparamref name="TException"/> it threw.</summary>
    public static TException Throws<TException>(Action action, string what)
        where TException : Exception
    {
        try
        {
            action();
        }
#pragma warning disable CA1031 // The point is to see which exception it was.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex.GetType() == typeof(TException)
                ? (TException)ex
                : throw new CheckFailedException($"{what}: expected {typeof(TException).Name}, got {ex.GetType().Name}: {ex.Message}");
        }

        throw new CheckFailedException($"{what}: expected {typeof(TException).Name}, but it succeeded");
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling, for at most <paramref name="limit"/>.</summary>
    public static void Eventually(Func<bool> condition, TimeSpan limit, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
            {
                throw new CheckFailedException($"{what} (waited {limit.TotalSeconds:0.#} s)");
            }

            Thread.Sleep(10);
        }
    }

    private static string Show<T>(T value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
