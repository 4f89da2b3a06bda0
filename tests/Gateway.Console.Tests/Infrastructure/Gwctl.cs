namespace Gateway.Console.Tests.Infrastructure;

/// <summary>Runs gwctl as a real process (<see cref="ProgramUnderTest.Gwctl"/>: <c>dotnet gwctl.dll …</c> or the native binary), output redirected (so: no terminal, no colours).</summary>
internal static class Gwctl
{
    /// <summary>Generous: a loaded 2-core machine can take seconds just to start a .NET process.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>How a short command ended.</summary>
    public sealed record Result(int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)
    {
        public string Out => string.Join('\n', Stdout);

        public string Err => string.Join('\n', Stderr);

        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
    }

    /// <summary>Starts a long-running gwctl (listen, watch).</summary>
    public static ChildProcess Start(string workingDirectory, params string[] args) =>
        ChildProcess.Start(ProgramUnderTest.Gwctl.FileName, ProgramUnderTest.Gwctl.Arguments(args), workingDirectory);

    /// <summary>Runs gwctl to the end.</summary>
    public static async Task<Result> RunAsync(string workingDirectory, params string[] args) => await RunAsync(workingDirectory, null, args);

    /// <summary>Runs gwctl to the end with extra environment variables.</summary>
    public static async Task<Result> RunAsync(string workingDirectory, IDictionary<string, string?>? environment, params string[] args)
    {
        using var process = ChildProcess.Start(ProgramUnderTest.Gwctl.FileName, ProgramUnderTest.Gwctl.Arguments(args), workingDirectory, environment);
        var code = await process.WaitForExitAsync(Timeout);
        return new Result(code, process.Stdout, process.Stderr);
    }
}
