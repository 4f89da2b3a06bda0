using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A real gateway process (<see cref="ProgramUnderTest.Gateway"/>: <c>dotnet Gateway.dll</c> or the native binary, or any
/// command) with its output captured line by line.
/// Always killed on dispose, so a failing test leaves nothing running.
/// </summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(ProcessStartInfo startInfo)
    {
        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is null) { _stdoutClosed.TrySetResult(); } else { _stdout.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is null) { _stderrClosed.TrySetResult(); } else { _stderr.Enqueue(e.Data); } };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>How a short-lived command ended.</summary>
    public sealed record ExitResult(int Code, string Output);

    public int Id => _process.Id;

    public IReadOnlyList<string> Stdout => [.. _stdout];

    public IReadOnlyList<string> Stderr => [.. _stderr];

    public string Output => string.Join('\n', Stdout) + "\n--- stderr ---\n" + string.Join('\n', Stderr);

    /// <summary>
    /// Starts the gateway with <paramref name="args"/> in <paramref name="workingDirectory"/>. The web console that the
    /// default appsettings.json turns on at 127.0.0.1:8080 is off unless a test's own arguments turn it on again, so the
    /// many gateways the tests run at once do not compete for that port.
    /// </summary>
    /// <param name="environment">Variables to set (null value: remove). NOTIFY_SOCKET and friends are removed unless given.</param>
    public static GatewayProcess Start(string workingDirectory, IEnumerable<string> args, IDictionary<string, string?>? environment = null)
        => StartCommand(ProgramUnderTest.Gateway.FileName, ProgramUnderTest.Gateway.Arguments(["--Gateway:Listener:Http=", .. args]), workingDirectory, environment);

    /// <summary>Starts any command with the same capture and clean-up.</summary>
    public static GatewayProcess StartCommand(string fileName, IEnumerable<string> args, string workingDirectory, IDictionary<string, string?>? environment = null)
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

        // The test runner might itself run under systemd; never let that leak into the child.
        foreach (var name in new[] { "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "INVOCATION_ID" })
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

        return new GatewayProcess(psi);
    }

    /// <summary>Waits for the process to exit (and its output to be read); fails the test after <paramref name="timeout"/>.</summary>
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

    /// <summary>Waits until a stdout line contains <paramref name="text"/>; fails the test with the output on timeout.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var line = _stdout.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited && _stdoutClosed.Task.IsCompleted)
            {
                break;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"no output line contained '{text}' within {timeout.TotalSeconds}s; output:\n{Output}");
        return string.Empty;
    }

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    public void Signal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>SIGKILL: the process gets no chance to clean up.</summary>
    public void Kill() => Signals.Send(_process.Id, 9);

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
