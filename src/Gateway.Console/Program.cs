using System.Runtime.InteropServices;
using Gateway.Console.Cli;

// gwctl: the Gateway's remote control console. See `gwctl --help` and README.md, "Walkthrough".
// Ctrl-C or SIGTERM stops a running verb gracefully (listen flushes its recording); a second Ctrl-C ends it at once.
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    if (!stop.IsCancellationRequested)
    {
        context.Cancel = true;

        // Not Cancel(): that would run every continuation waiting on the token (the verb's whole shutdown) here, on the
        // runtime's signal-handling thread; CancelAsync runs them on the thread pool and this handler returns at once.
        _ = stop.CancelAsync();
    }
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await GwctlCli.RunAsync(args, Terminal.System, stop.Token);
