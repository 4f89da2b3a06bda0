using Gateway.Configuration;
using Gateway.Protocol.Commands;

namespace Gateway.Commands;

/// <summary>Reads <c>Gateway:Commands</c>, including key files, whose permissions must keep them private.</summary>
internal static class CommandOptionsReader
{
    private const string K = $"{GatewayOptions.SectionName}:Commands";

    /// <summary>Reads and validates the section; problems go to <paramref name="r"/>.</summary>
    public static CommandOptions Read(ConfigurationReader r, string workingDirectory)
    {
        var keys = new Dictionary<string, CommandKey>(StringComparer.Ordinal);
        foreach (var id in r.Children($"{K}:Keys"))
        {
            var k = $"{K}:Keys:{id}";
            if (!CommandFields.IsToken(id))
            {
                r.Problem(k, id, $"a key id of {CommandFields.TokenAllowed}");
                continue;
            }

            var secret = ReadSecret(r, k, id, workingDirectory);
            var allow = ReadAllow(r, $"{k}:Allow");
            if (secret is not null && allow is not null)
            {
                keys[id] = new CommandKey(id, secret, allow);
            }
        }

        var skew = r.Duration($"{K}:ClockSkew", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        return new CommandOptions
        {
            Keys = keys,
            ClockSkew = skew,
            Timeout = r.Duration($"{K}:Timeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
            MaxInFlight = r.Int($"{K}:MaxInFlight", 8, 1, 1_000),
            RatePerLink = r.Int($"{K}:RatePerLink", 20, 1, 100_000),
            RatePerKey = r.Int($"{K}:RatePerKey", 20, 1, 100_000),
            MaxArgsBytes = r.Int($"{K}:MaxArgsBytes", 4096, 16, 1024 * 1024),
            AuditMaxBytes = r.Size($"{K}:Audit:MaxBytes", 1024 * 1024, 4096, 1L << 32),
            AuditFiles = r.Int($"{K}:Audit:Files", 5, 1, 100),
        };
    }

    private static byte[]? ReadSecret(ConfigurationReader r, string k, string id, string workingDirectory)
    {
        r.Secret($"{k}:Secret");
        var inline = r.Raw($"{k}:Secret");
        var file = r.Raw($"{k}:SecretFile");
        if (inline is not null && file is not null)
        {
            r.Problem($"{k}:SecretFile", file, $"either {k}:Secret or {k}:SecretFile, not both");
            return null;
        }

        if (inline is null && file is null)
        {
            r.Problem($"{k}:Secret", null, $"a base64 secret of at least {CommandSigning.MinSecretBytes} bytes, or {k}:SecretFile naming a key file (gwctl keygen makes both)");
            return null;
        }

        if (inline is not null)
        {
            try
            {
                return CommandKeyFile.DecodeSecret(inline);
            }
            catch (FormatException ex)
            {
                r.Problem($"{k}:Secret", inline, ex.Message);
                return null;
            }
        }

        var path = Path.GetFullPath(file!, workingDirectory);
        try
        {
            if (ConfigurationReader.OwnerOnlyProblem(path) is { } problem)
            {
                r.Problem($"{k}:SecretFile", file, $"a key file only its owner can read: {problem}");
                return null;
            }

            var parsed = CommandKeyFile.Parse(File.ReadAllText(path));
            if (parsed.Key != id)
            {
                r.Problem($"{k}:SecretFile", file, $"the key file of key '{id}', but it holds key '{parsed.Key}'");
                return null;
            }

            return parsed.Secret;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            r.Problem($"{k}:SecretFile", file, $"a readable key file ({ex.Message})");
        }
        catch (FormatException ex)
        {
            r.Problem($"{k}:SecretFile", file, $"a key file {{\"key\":…,\"secret\":…}}: {ex.Message}");
        }

        return null;
    }

    // Allow = "ping,status" or an array (Allow:0, Allow:1, …). Only known command names; no wildcard.
    private static HashSet<string>? ReadAllow(ConfigurationReader r, string key)
    {
        var names = new List<string>();
        if (r.Raw(key) is { } list)
        {
            names.AddRange(list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        foreach (var child in r.Children(key))
        {
            if (r.Raw($"{key}:{child}") is { } name)
            {
                names.Add(name.Trim());
            }
        }

        if (names.Count == 0)
        {
            r.Problem(key, null, $"the commands this key may run, e.g. \"ping,status\"; known: {string.Join(", ", CommandNames.All)}");
            return null;
        }

        var unknown = names.Where(n => !CommandNames.All.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            r.Problem(key, string.Join(",", names), $"known command names only ({string.Join(", ", CommandNames.All)}); not: {string.Join(", ", unknown)}");
            return null;
        }

        return [.. names];
    }
}
