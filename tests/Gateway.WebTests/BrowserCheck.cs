using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.WebTests;

/// <summary>
/// browser/console-check.mjs under node: headless Chromium (Debian's package) driven by playwright-core. It reports
/// each step as a JSON line and, after a step that switches an output, waits until told "next".
/// </summary>
internal sealed class BrowserCheck : IDisposable
{
    public const string Chromium = "/usr/bin/chromium";

    public static readonly string Folder = Path.Combine(RepositoryPaths.Root, "tests", "Gateway.WebTests", "browser");

    private readonly Process _node;
    private readonly StringBuilder _stderr = new();

    private BrowserCheck(Process node) => _node = node;

    /// <summary>Fails (root with apt-get: run tests/run.sh) or skips (cannot install) when Chromium or playwright-core is missing.</summary>
    public static void RequireTools()
    {
        var missing = new List<string>();
        if (!File.Exists(Chromium))
        {
            missing.Add($"Chromium ({Chromium}; Debian package chromium)");
        }

        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "playwright-core")))
        {
            missing.Add($"playwright-core (npm ci in {Folder})");
        }

        if (missing.Count == 0)
        {
            return;
        }

        var message = $"the browser tests need {string.Join(" and ", missing)}; tests/run.sh installs both";
        if (Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            Assert.Fail(message);
        }

        Assert.Skip(message + " (this machine cannot: it needs root and apt-get)");
    }

    public static BrowserCheck Start(IDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("console-check.mjs");
        psi.Environment["CHROMIUM"] = Chromium;
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        var node = Process.Start(psi) ?? throw new InvalidOperationException("node did not start");
        var check = new BrowserCheck(node);
        node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (check._stderr)
                {
                    check._stderr.AppendLine(e.Data);
                }
            }
        };
        node.BeginErrorReadLine();
        return check;
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The next step's report, which must be <paramref name="step"/>.</summary>
    public async Task<JsonElement> NextAsync(string step, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        string? line;
        try
        {
            line = await _node.StandardOutput.ReadLineAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the browser did not report '{step}' within {timeout.TotalSeconds:0}s; node said: {Stderr}");
        }

        if (line is null)
        {
            throw new InvalidOperationException($"the browser check ended before '{step}'; node said: {Stderr}");
        }

        using var doc = JsonDocument.Parse(line);
        var report = doc.RootElement.Clone();
        Assert.Equal(step, report.GetProperty("step").GetString());
        return report;
    }

    /// <summary>Lets the script go on to its next step.</summary>
    public async Task ContinueAsync()
    {
        await _node.StandardInput.WriteLineAsync("next");
        await _node.StandardInput.FlushAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        await _node.WaitForExitAsync(limit.Token);
        return _node.ExitCode;
    }

    public void Dispose()
    {
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
        }

        _node.Dispose();
    }
}
