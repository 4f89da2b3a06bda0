using Gateway.Configuration;

namespace Gateway.Web;

/// <summary>Reads the web console's keys: <c>Gateway:Listener:HttpSessionIdle</c>, <c>HttpMaxSessions</c> and the per-key tokens.</summary>
internal static class WebConsoleOptionsReader
{
    private const string S = GatewayOptions.SectionName;

    /// <summary>Reads and validates; problems go to <paramref name="r"/>. Token values never appear in a problem.</summary>
    public static WebConsoleOptions Read(ConfigurationReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in r.Children($"{S}:Commands:Keys"))
        {
            var key = $"{S}:Commands:Keys:{id}:Token";
            r.Secret(key);
            if (r.Raw(key) is not { } token)
            {
                continue;
            }

            token = token.Trim();
            if (token.Length < WebConsoleOptions.MinTokenLength || token.Any(char.IsControl))
            {
                r.Problem(key, token, $"an access token of at least {WebConsoleOptions.MinTokenLength} printable characters (e.g. from: openssl rand -base64 24)");
                continue;
            }

            if (owners.TryGetValue(token, out var other))
            {
                // The token alone picks the key, so two keys cannot share one.
                r.Problem(key, token, $"a token of its own: key '{other}' has the same one");
                continue;
            }

            owners[token] = id;
            tokens[id] = token;
        }

        return new WebConsoleOptions
        {
            SessionIdle = r.Duration($"{S}:Listener:HttpSessionIdle", TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)),
            MaxSessions = r.Int($"{S}:Listener:HttpMaxSessions", 64, 1, 10_000),
            Tokens = tokens,
        };
    }
}
