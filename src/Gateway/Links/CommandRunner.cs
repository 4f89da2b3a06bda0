using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// The commands one connection has running beside its receive loop. A connection that ends waits for them
/// (<see cref="DrainAsync"/>), so no command outlives its link unnoticed; their write of the result fails quietly when
/// the peer is gone — the peer repeats the id and gets the stored result. A command that fails in any other way is
/// logged with its peer and ends there: one command's failure never ends its connection or its service (issue 14).
/// </summary>
internal sealed partial class CommandRunner
{
    /// <summary>Most commands one connection may have outstanding; more are answered <c>busy</c> at once.</summary>
    public const int MaxPerConnection = 64;

    private readonly Lock _lock = new();
    private readonly HashSet<Task> _running = [];
    private readonly ILogger _logger;
    private readonly string _link;
    private readonly string _peer;

    /// <summary>Creates the runner of one connection; <paramref name="link"/> and <paramref name="peer"/> name it in the log.</summary>
    public CommandRunner(ILogger logger, string link, string peer)
    {
        _logger = logger;
        _link = link;
        _peer = peer;
    }

    /// <summary>Starts <paramref name="command"/> (running it and sending its result), unless the connection already has <see cref="MaxPerConnection"/> outstanding.</summary>
    public bool TryStart(Func<Task> command)
    {
        lock (_lock)
        {
            if (_running.Count >= MaxPerConnection)
            {
                return false;
            }
        }

        // Run here until the command's first wait (a ping, a status or an output switch never waits): no hop to
        // another thread and back per command (issue 17, item 5: 20 futex calls per command, the round trip's tail).
        // A command that waits goes on beside the receive loop, as before, and is tracked.
        var task = RunAsync(command);
        if (task.IsCompleted)
        {
            return true;
        }

        lock (_lock)
        {
            _running.Add(task);
        }

        task.ContinueWith(t => { lock (_lock) { _running.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    private async Task RunAsync(Func<Task> command)
    {
        try
        {
            await command().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.WebSockets.WebSocketException or LinkStalledException or Protocol.Transport.ChannelClosedException)
        {
            // the connection ended before the result could be sent
        }
#pragma warning disable CA1031 // a failure of one command (a handler or audit bug) is logged with its peer and must not end the connection
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(_logger, _link, _peer, ex.GetType().Name, ex.Message, ex);
        }
    }

    /// <summary>Waits for every command started so far; never throws (failures were logged).</summary>
    public Task DrainAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll([.. _running]);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Link}: a command from {Peer} failed unexpectedly ({Type}: {Error}); the connection goes on")]
    private static partial void LogFailed(ILogger logger, string link, string peer, string type, string error, Exception exception);
}
