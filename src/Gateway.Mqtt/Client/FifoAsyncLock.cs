namespace Gateway.Mqtt.Client;

/// <summary>
/// An async lock handed to waiters strictly in the order they asked (SemaphoreSlim promises no order). The client
/// takes it synchronously inside PublishAsync, so messages go on the wire in the order PublishAsync was called.
/// </summary>
internal sealed class FifoAsyncLock
{
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private bool _held;

    /// <summary>Returns a completed task when the lock was free, else one that completes when it is this caller's turn.</summary>
    public Task EnterAsync()
    {
        lock (_waiters)
        {
            if (!_held)
            {
                _held = true;
                return Task.CompletedTask;
            }

            var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(turn);
            return turn.Task;
        }
    }

    /// <summary>Passes the lock to the next waiter, or frees it.</summary>
    public void Exit()
    {
        TaskCompletionSource? next;
        lock (_waiters)
        {
            if (!_waiters.TryDequeue(out next))
            {
                _held = false;
                return;
            }
        }

        next.SetResult();
    }
}
