using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Gateway.Commands.BuiltIn;

/// <summary>
/// <c>config.get</c>: the effective <c>Gateway</c> configuration (files, environment and command line merged), as
/// flat <c>key: value</c> pairs, with every secret replaced by <c>"(redacted)"</c>.
/// </summary>
internal sealed class ConfigGetCommand(IConfiguration configuration) : ICommandHandler
{
    /// <summary>Key names (last segment) whose values are secrets, whatever section they are in.</summary>
    private static readonly string[] SecretNames = ["Secret", "Password", "Token", "Passphrase", "ApiKey"];

    /// <inheritdoc/>
    public string Name => CommandNames.ConfigGet;

    /// <summary>True when the value of <paramref name="key"/> must never be shown.</summary>
    public static bool IsSecret(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var last = key[(key.LastIndexOf(':') + 1)..];
        return SecretNames.Any(s => last.EndsWith(s, StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc/>
    public Func<CancellationToken, Task<JsonObject>> Prepare(CommandArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Only();
        return _ =>
        {
            var values = new JsonObject();
            foreach (var (key, value) in configuration.GetSection(Configuration.GatewayOptions.SectionName).AsEnumerable()
                         .Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
            {
                values[key] = IsSecret(key) ? "(redacted)" : Links.Redaction.ConfigurationValue(key, value!);
            }

            return Task.FromResult(new JsonObject { ["config"] = values });
        };
    }
}
