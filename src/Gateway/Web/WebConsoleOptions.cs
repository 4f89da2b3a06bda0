namespace Gateway.Web;

/// <summary>
/// The web console's settings beside its address (<c>Gateway:Listener:Http</c>): how long an idle session lasts and
/// the access tokens people type into the page, one per command key (<c>Gateway:Commands:Keys:&lt;id&gt;:Token</c>).
/// </summary>
internal sealed record WebConsoleOptions
{
    /// <summary>The shortest token accepted: long enough that guessing it over the network is hopeless.</summary>
    public const int MinTokenLength = 16;

    /// <summary><c>Gateway:Listener:HttpSessionIdle</c>: a session unused this long is forgotten and the page asks again.</summary>
    public TimeSpan SessionIdle { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary><c>Gateway:Listener:HttpMaxSessions</c>: sessions kept at once; the least recently used goes first.</summary>
    public int MaxSessions { get; init; } = 64;

    /// <summary>Key id → access token. A key without a token cannot be used from the page. Secrets: never logged.</summary>
    public IReadOnlyDictionary<string, string> Tokens { get; init; } = new Dictionary<string, string>();
}
