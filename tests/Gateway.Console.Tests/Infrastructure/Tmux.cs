namespace Gateway.Console.Tests.Infrastructure;

/// <summary>
/// A private tmux server (its own socket, so nothing else's sessions are touched) running one program in a pane of a
/// fixed size: a real pseudo-terminal, read back with capture-pane, typed into with send-keys.
/// </summary>
internal sealed class Tmux : IAsyncDisposable
{
    private const string Session = "gwctl";
    private readonly string _socket = $"gwctl-test-{Guid.NewGuid():N}";
    private readonly string _workingDirectory;

    private Tmux(string workingDirectory) => _workingDirectory = workingDirectory;

    /// <summary>True when tmux is installed (tests/run.sh installs it).</summary>
    public static bool Available { get; } = Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(d => File.Exists(Path.Combine(d, "tmux"))) == true;

    /// <summary>Starts <paramref name="command"/> (a shell command line) in a detached <paramref name="width"/>×<paramref name="height"/> pane.</summary>
    public static async Task<Tmux> StartAsync(string workingDirectory, int width, int height, string command)
    {
        var tmux = new Tmux(workingDirectory);
        await tmux.RunAsync("new-session", "-d", "-s", Session, "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), command);
        await tmux.RunAsync("set-option", "-t", Session, "remain-on-exit", "on"); // keep the last screen after the program ends
        return tmux;
    }

    /// <summary>The pane's text now.</summary>
    public async Task<string> ScreenAsync() => string.Join('\n', await RunAsync("capture-pane", "-p", "-t", Session));

    /// <summary>Waits until the screen satisfies <paramref name="condition"/>; fails the test with the last screen after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var screen = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            screen = await ScreenAsync();
            if (condition(screen))
            {
                return screen;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"the terminal never showed {what} within {timeout.TotalSeconds}s; last screen:\n{screen}\n{await ProcessStateAsync()}");
        return screen;
    }

    /// <summary>
    /// What the pane's program is doing, for a failure message: the terminal's modes (is ISIG on, so that Ctrl-C is a
    /// signal?), the process's signal masks, and each thread's state and kernel wait channel.
    /// </summary>
    private async Task<string> ProcessStateAsync()
    {
        var text = new System.Text.StringBuilder();
        try
        {
            var pane = await RunAsync("display-message", "-p", "-t", Session, "#{pane_pid} #{pane_tty} #{pane_dead}");
            text.AppendLine($"pane: {string.Join(' ', pane)}");
            var parts = pane.Count > 0 ? pane[0].Split(' ') : [];
            if (parts.Length >= 2)
            {
                using var stty = ChildProcess.Start("stty", ["-a", "-F", parts[1]], _workingDirectory);
                await stty.WaitForExitAsync(TimeSpan.FromSeconds(10));
                text.AppendLine($"stty: {stty.Output}");
                // The pane's process (a shell, or the program it exec'd) and its children.
                var pids = new List<string> { parts[0] };
                pids.AddRange(Directory.GetDirectories($"/proc/{parts[0]}/task")
                    .SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries)));
                foreach (var pid in pids)
                {
                    text.AppendLine($"process {pid}: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}");
                    foreach (var line in File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("Sig", StringComparison.Ordinal) || l.StartsWith("State", StringComparison.Ordinal)))
                    {
                        text.AppendLine(line);
                    }

                    foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
                    {
                        var comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                        var wchan = File.ReadAllText(Path.Combine(task, "wchan")).Trim();
                        var state = File.ReadAllText(Path.Combine(task, "stat")).Split(") ").ElementAtOrDefault(1)?.Split(' ')[0];
                        text.AppendLine($"  thread {Path.GetFileName(task)} {comm}: {state} {wchan}");
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            text.AppendLine($"(process state unavailable: {ex.Message})");
        }

        return text.ToString();
    }

    /// <summary>Types keys, e.g. <c>C-c</c>.</summary>
    public Task SendKeysAsync(string keys) => RunAsync("send-keys", "-t", Session, keys);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("kill-server");
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private async Task<IReadOnlyList<string>> RunAsync(params string[] args)
    {
        using var process = ChildProcess.Start("tmux", ["-L", _socket, .. args], _workingDirectory);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return code == 0 ? process.Stdout : throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({code}): {process.Output}");
    }
}
