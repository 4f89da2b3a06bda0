using Gateway.Configuration;
using Gateway.Protocol.Transport;

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

        var maxConnections = r.Int($"{S}:Listener:HttpMaxConnections", 128, 4, 10_000);
        return new WebConsoleOptions
        {
            SessionIdle = r.Duration($"{S}:Listener:HttpSessionIdle", TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)),
            MaxSessions = r.Int($"{S}:Listener:HttpMaxSessions", 64, 1, 10_000),
            MaxConnections = maxConnections,
            MaxConnectionsPerAddress = r.Int($"{S}:Listener:HttpMaxConnectionsPerAddress", Math.Min(16, maxConnections), 1, maxConnections),
            KeepAliveTimeout = r.Duration($"{S}:Listener:HttpKeepAliveTimeout", TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            RequestHeadersTimeout = r.Duration($"{S}:Listener:HttpRequestHeadersTimeout", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            Hosts = ReadHosts(r, $"{S}:Listener:HttpHosts"),
            Tokens = tokens,
        };
    }

    // A comma-separated list of DNS names (RFC 1123), e.g. "gateway.local,pi-01.lan".
    private static string[] ReadHosts(ConfigurationReader r, string key)
    {
        if (r.Raw(key) is not { } raw)
        {
            return [];
        }

        var names = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            if (!HostEndpoint.TryParse($"{name}:1", out _))
            {
                r.Problem(key, raw, $"a comma-separated list of host names (letters, digits, '-' and '.'), e.g. gateway.local; '{name}' is not one");
                return [];
            }
        }

        return names;
    }
}
