namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A program the tests start as a real process: by default the framework-dependent build next to the test binaries
/// (<c>dotnet Gateway.dll</c>), or the build named by an environment variable — a NativeAOT executable as shipped, or
/// another <c>.dll</c>. <c>tests/run.sh</c> runs the process-level tests a second time with
/// <c>TEST_GATEWAY_BINARY</c> and <c>TEST_GWCTL_BINARY</c> pointing at the native binaries.
/// </summary>
internal sealed class ProgramUnderTest
{
    /// <summary>The variable naming the gateway binary to test.</summary>
    public const string GatewayVariable = "TEST_GATEWAY_BINARY";

    /// <summary>The variable naming the gwctl binary to test.</summary>
    public const string GwctlVariable = "TEST_GWCTL_BINARY";

    private ProgramUnderTest(string fileName, IReadOnlyList<string> leadingArguments, bool isNative)
    {
        FileName = fileName;
        LeadingArguments = leadingArguments;
        IsNative = isNative;
    }

    /// <summary>The gateway under test.</summary>
    public static ProgramUnderTest Gateway { get; } = FromEnvironment(GatewayVariable, "Gateway.dll");

    /// <summary>gwctl under test.</summary>
    public static ProgramUnderTest Gwctl { get; } = FromEnvironment(GwctlVariable, "gwctl.dll");

    /// <summary>What to execute: <c>dotnet</c>, or the native executable.</summary>
    public string FileName { get; }

    /// <summary>Arguments that come before the program's own (the .dll for <c>dotnet</c>).</summary>
    public IReadOnlyList<string> LeadingArguments { get; }

    /// <summary>True for a NativeAOT executable.</summary>
    public bool IsNative { get; }

    /// <summary>The program's own file: the executable or the .dll.</summary>
    public string Path => IsNative ? FileName : LeadingArguments[0];

    /// <summary>The whole argument list: <see cref="LeadingArguments"/> then <paramref name="arguments"/>.</summary>
    public IEnumerable<string> Arguments(IEnumerable<string> arguments) => [.. LeadingArguments, .. arguments];

    /// <summary>The command as a shell line prefix (for a terminal multiplexer), each part single-quoted.</summary>
    public string ShellCommand => string.Join(' ', new[] { FileName }.Concat(LeadingArguments).Select(Quote));

    /// <inheritdoc/>
    public override string ToString() => IsNative ? $"{FileName} (native)" : $"dotnet {LeadingArguments[0]}";

    private static ProgramUnderTest FromEnvironment(string variable, string defaultDll)
    {
        var named = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(named))
        {
            return new ProgramUnderTest("dotnet", [System.IO.Path.Combine(AppContext.BaseDirectory, defaultDll)], isNative: false);
        }

        var full = System.IO.Path.GetFullPath(named);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"{variable} names '{named}', which does not exist (build it with deploy/build-native.sh, or unset {variable} to test the build next to the tests)", full);
        }

        return full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProgramUnderTest("dotnet", [full], isNative: false)
            : new ProgramUnderTest(full, [], isNative: true);
    }

    private static string Quote(string part) => "'" + part.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
