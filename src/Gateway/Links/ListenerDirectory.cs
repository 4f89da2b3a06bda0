namespace Gateway.Links;

/// <summary>Where this gateway's listeners are bound (e.g. <c>tcp://127.0.0.1:7000</c>), for the UDP beacon.</summary>
internal sealed class ListenerDirectory
{
    private readonly Lock _lock = new();
    private readonly List<string> _urls = [];

    /// <summary>Adds a listener's URL once it is bound.</summary>
    public void Add(string url)
    {
        lock (_lock)
        {
            _urls.Add(url);
        }
    }

    /// <summary>The URLs, in the order the listeners bound.</summary>
    public IReadOnlyList<string> Urls
    {
        get
        {
            lock (_lock)
            {
                return [.. _urls];
            }
        }
    }
}
