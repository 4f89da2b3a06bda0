namespace Gateway.Links;

/// <summary>
/// The commands one connection has running beside its receive loop. A connection that ends waits for them
/// (<see cref="DrainAsync"/>), so no command outlives its link unnoticed; their write of the result fails quietly when
/// the peer is gone — the peer repeats the id and gets the stored result.
/// </summary>
internal sealed class CommandRunner
{
    /// <summary>Most commands one connection may have outstanding; more are answered <c>busy</c> at once.</summary>
    public const int MaxPerConnection = 64;

    private readonly Lock _lock = new();
    private readonly HashSet<Task> _running = [];

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

        var task = Task.Run(async () =>
        {
            try
            {
                await command().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
            {
                // the connection ended before the result could be sent
            }
        });
        lock (_lock)
        {
            _running.Add(task);
        }

        task.ContinueWith(t => { lock (_lock) { _running.Remove(t); } }, TaskScheduler.Default);
        return true;
    }

    /// <summary>Waits for every command started so far.</summary>
    public Task DrainAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll([.. _running]);
        }
    }
}
