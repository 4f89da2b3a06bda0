using Gateway.Configuration;
using Gateway.Protocol.Transport;

namespace Gateway.Web;

/// <summary>
/// Reads the web console's keys: <c>Gateway:Listener:HttpSessionIdle</c>, <c>HttpSessionMax</c>, <c>HttpMaxSessions</c>
/// and the per-key tokens (<c>Token</c> inline, or <c>TokenFile</c>: a file only its owner can read, like <c>SecretFile</c>).
/// </summary>
internal static class WebConsoleOptionsReader
{
    private const string S = GatewayOptions.SectionName;

    /// <summary>Reads and validates; problems go to <paramref name="r"/>. Token values never appear in a problem.</summary>
    public static WebConsoleOptions Read(ConfigurationReader r, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(r);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in r.Children($"{S}:Commands:Keys"))
        {
            var key = $"{S}:Commands:Keys:{id}:Token";
            r.Secret(key);
            if (TokenOf(r, key, workingDirectory) is not ({ } token, var source))
            {
                continue;
            }

            // Problems name the key the token came from, and show the inline value (redacted as a secret) or the file's path.
            var shown = source == key ? token : r.Raw(source);
            key = source;

            token = token.Trim();
            if (token.Length < WebConsoleOptions.MinTokenLength || token.Any(char.IsControl))
            {
                r.Problem(key, shown, $"an access token of at least {WebConsoleOptions.MinTokenLength} printable characters (e.g. from: openssl rand -base64 24)");
                continue;
            }

            if (owners.TryGetValue(token, out var other))
            {
                // The token alone picks the key, so two keys cannot share one.
                r.Problem(key, shown, $"a token of its own: key '{other}' has the same one");
                continue;
            }

            owners[token] = id;
            tokens[id] = token;
        }

        var maxConnections = r.Int($"{S}:Listener:HttpMaxConnections", 128, 4, 10_000);
        return new WebConsoleOptions
        {
            SessionIdle = r.Duration($"{S}:Listener:HttpSessionIdle", TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)),
            SessionMax = r.Duration($"{S}:Listener:HttpSessionMax", TimeSpan.FromHours(12), TimeSpan.FromMinutes(10), TimeSpan.FromDays(30)),
            MaxSessions = r.Int($"{S}:Listener:HttpMaxSessions", 64, 1, 10_000),
            MaxConnections = maxConnections,
            MaxConnectionsPerAddress = r.Int($"{S}:Listener:HttpMaxConnectionsPerAddress", Math.Min(16, maxConnections), 1, maxConnections),
            KeepAliveTimeout = r.Duration($"{S}:Listener:HttpKeepAliveTimeout", TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            RequestHeadersTimeout = r.Duration($"{S}:Listener:HttpRequestHeadersTimeout", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            Hosts = ReadHosts(r, $"{S}:Listener:HttpHosts"),
            Tokens = tokens,
        };
    }

    // The token inline (Token) or from its file (TokenFile, owner-only, trimmed); never both. Null: none, or a problem.
    private static (string? Token, string Source) TokenOf(ConfigurationReader r, string key, string workingDirectory)
    {
        var fileKey = key + "File";
        if (r.Raw(key) is { } inline)
        {
            if (r.Raw(fileKey) is { } both)
            {
                r.Problem(fileKey, both, $"either {key} or {fileKey}, not both");
                return (null, key);
            }

            return (inline, key);
        }

        if (r.OwnerOnlyFile(fileKey, workingDirectory) is not { } path)
        {
            return (null, fileKey); // absent, or a problem already said what to fix
        }

        try
        {
            var token = File.ReadAllText(path).Trim();
            if (token.Length == 0)
            {
                r.Problem(fileKey, r.Raw(fileKey), "a file holding the access token (it is empty)");
                return (null, fileKey);
            }

            return (token, fileKey);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            r.Problem(fileKey, r.Raw(fileKey), $"a readable file holding the access token ({ex.Message})");
            return (null, fileKey);
        }
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
