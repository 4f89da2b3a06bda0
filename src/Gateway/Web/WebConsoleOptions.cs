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

    /// <summary>
    /// <c>Gateway:Listener:HttpSessionMax</c>: a session ends this long after its login however busy it is (an open
    /// page polls the status and would otherwise keep it alive for ever), and the page asks for the token again.
    /// </summary>
    public TimeSpan SessionMax { get; init; } = TimeSpan.FromHours(12);

    /// <summary>
    /// <c>Gateway:Listener:HttpMaxSessions</c>: sessions kept at once per key; past it that key's least recently used
    /// session goes first, so logins with one key never end another key's sessions.
    /// </summary>
    public int MaxSessions { get; init; } = 64;

    /// <summary><c>Gateway:Listener:HttpMaxConnections</c>: connections the console holds open at once (Kestrel's MaxConcurrentConnections).</summary>
    public int MaxConnections { get; init; } = 128;

    /// <summary><c>Gateway:Listener:HttpMaxConnectionsPerAddress</c>: connections one remote address may hold; more are closed at once.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 16;

    /// <summary><c>Gateway:Listener:HttpKeepAliveTimeout</c>: a connection with no request under way is closed after this long.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary><c>Gateway:Listener:HttpRequestHeadersTimeout</c>: a request's headers must arrive in full within this long.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// <c>Gateway:Listener:HttpHosts</c>: host names the console also answers to (besides its address literal, and
    /// <c>localhost</c> on loopback), e.g. the board's mDNS name; any other <c>Host</c> header gets 421.
    /// </summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Key id → access token. A key without a token cannot be used from the page. Secrets: never logged.</summary>
    public IReadOnlyDictionary<string, string> Tokens { get; init; } = new Dictionary<string, string>();
}
