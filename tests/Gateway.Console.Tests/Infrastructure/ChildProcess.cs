using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.Console.Tests.Infrastructure;

/// <summary>
/// A real child process (gwctl, the gateway, firmware-sim) with its output captured line by line. Always killed on
/// dispose, so a failing test leaves nothing running. (After tests/Gateway.IntegrationTests' GatewayProcess.)
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(ProcessStartInfo startInfo)
    {
        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is null) { _stdoutClosed.TrySetResult(); } else { _stdout.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is null) { _stderrClosed.TrySetResult(); } else { _stderr.Enqueue(e.Data); } };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Stdout => [.. _stdout];

    public IReadOnlyList<string> Stderr => [.. _stderr];

    public string Output => string.Join('\n', Stdout) + "\n--- stderr ---\n" + string.Join('\n', Stderr);

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    /// <param name="environment">Variables to set (null value: remove).</param>
    public static ChildProcess Start(string fileName, IEnumerable<string> args, string workingDirectory, IDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // Nothing from the test runner's environment may change what the child does.
        foreach (var name in new[] { "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "INVOCATION_ID", "GWCTL_KEY_FILE", "NO_COLOR" })
        {
            psi.Environment.Remove(name);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("GATEWAY_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            psi.Environment[key] = value;
        }

        return new ChildProcess(psi);
    }

    /// <summary>Waits for the process to exit and its output to be read; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"process did not exit within {timeout.TotalSeconds}s; output so far:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until a line of stdout (or stderr, with <paramref name="stderr"/>) contains <paramref name="text"/>.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout, bool stderr = false)
    {
        var lines = stderr ? _stderr : _stdout;
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var line = lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited && _stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted)
            {
                break;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"no {(stderr ? "stderr" : "stdout")} line contained '{text}' within {timeout.TotalSeconds}s; output:\n{Output}");
        return string.Empty;
    }

    public void Signal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>SIGKILL: no chance to clean up.</summary>
    public void Kill() => Signals.Send(_process.Id, Signals.SIGKILL);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }
}
