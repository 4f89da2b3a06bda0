namespace Gateway.Console.Upstream;

/// <summary>What every connection of one <c>gwctl listen</c> shares.</summary>
internal sealed class ListenContext
{
    private readonly CancellationTokenSource _stop;
    private Exception? _failure;

    public ListenContext(ListenOptions options, DeviceBook book, Recording? recording, IListenOutput output, TimeProvider time, CancellationTokenSource stop)
    {
        Options = options;
        Book = book;
        Recording = recording;
        Output = output;
        Time = time;
        _stop = stop;
    }

    public ListenOptions Options { get; }

    public DeviceBook Book { get; }

    public Recording? Recording { get; }

    public IListenOutput Output { get; }

    public TimeProvider Time { get; }

    /// <summary>What stopped listening for good (the recording failed), or null.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Whole seconds on the monotonic clock, for rates.</summary>
    public long NowSecond => Time.GetTimestamp() / Time.TimestampFrequency;

    /// <summary>Stops everything because of <paramref name="failure"/>; the first failure is the one reported.</summary>
    public void Fail(Exception failure)
    {
        Interlocked.CompareExchange(ref _failure, failure, null);
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // already stopping
        }
    }
}
