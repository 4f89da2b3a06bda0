using Gateway.Console.Tests.Infrastructure;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>
/// Issue 18, item 3: <c>gwctl completion bash</c>, loaded into a real bash with gwctl on the PATH (the build under test,
/// JIT or native), completes verbs and options by asking gwctl itself.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ShellCompletionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("gwctl se", "send")]
    [InlineData("gwctl st", "status")]
    [InlineData("gwctl watch --js", "--json")]
    [InlineData("gwctl watch --ca", "--ca-file")]
    [InlineData("gwctl send --pi", "--pin")]
    [InlineData("gwctl completion z", "zsh")]
    public async Task Bash_completes_verbs_and_options_from_gwctl_itself(string line, string expected)
    {
        // A gwctl on the PATH that runs the build under test.
        var bin = Path.Combine(_dir.Path, "bin");
        Directory.CreateDirectory(bin);
        var wrapper = Path.Combine(bin, "gwctl");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec {ProgramUnderTest.Gwctl.ShellCommand} \"$@\"\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var words = line.Split(' ');
        var script = $$"""
            source <(gwctl completion bash) || exit 3
            COMP_LINE='{{line}}'; COMP_POINT={{line.Length}}; COMP_WORDS=({{string.Join(' ', words.Select(w => $"'{w}'"))}}); COMP_CWORD={{words.Length - 1}}
            _gwctl_complete
            echo "[${COMPREPLY[*]}]"
            """;
        using var bash = ChildProcess.Start("bash", ["-c", script], _dir.Path, new Dictionary<string, string?> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" });
        Assert.Equal(0, await bash.WaitForExitAsync(Gwctl.Timeout));

        Assert.Equal($"[{expected}]", Assert.Single(bash.Stdout));
    }
}
