using System.Diagnostics;
using System.Net;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>Starts a server a test needs (InfluxDB, Prometheus) as a process and waits until its HTTP API says it is ready.</summary>
internal static class ServerStart
{
    /// <summary>
    /// Starts <paramref name="executable"/> with <paramref name="arguments"/>, its output passed to <paramref name="output"/>,
    /// and polls <paramref name="readyUrl"/> until it answers <paramref name="ready"/>; throws, naming the server, if the
    /// process exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public static async Task<Process> StartAsync(string executable, IEnumerable<string> arguments, HttpClient http, string readyUrl, HttpStatusCode ready, TimeSpan timeout, Action<string?> output, Func<string> recentOutput)
    {
        var name = Path.GetFileName(executable);
        var process = Process.Start(new ProcessStartInfo(executable, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"{name} did not start");
        process.OutputDataReceived += (_, e) => output(e.Data);
        process.ErrorDataReceived += (_, e) => output(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} at start:\n{recentOutput()}");
            }

            try
            {
                using var answer = await http.GetAsync(readyUrl).ConfigureAwait(false);
                if (answer.StatusCode == ready)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"{name} did not answer {readyUrl} with {(int)ready} within {timeout.TotalSeconds}s:\n{recentOutput()}");
    }
}
