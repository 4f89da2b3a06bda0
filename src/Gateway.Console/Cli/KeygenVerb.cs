using System.CommandLine;
using System.Text;
using System.Text.Json;
using Gateway.Console.Keys;

namespace Gateway.Console.Cli;

/// <summary><c>gwctl keygen</c>: a new command key file (mode 0600) and the gateway configuration that accepts it.</summary>
internal static class KeygenVerb
{
    public static Command Build(Option<bool> json, Option<ColorMode> color, Func<ColorMode, Terminal> terminals)
    {
        var name = new Option<string>("--name") { Description = "the key id the gateway knows the key by", DefaultValueFactory = _ => "operator" };
        var output = new Option<string?>("--out", "-o") { Description = "the key file to write (default: <name>.key here)" };
        var allow = new Option<string>("--allow")
        {
            Description = $"the commands the key may run, comma-separated (default {string.Join(',', KnownCommands.OperatorDefault)}; all: {string.Join(',', KnownCommands.All)})",
            DefaultValueFactory = _ => string.Join(',', KnownCommands.OperatorDefault),
        };
        var force = new Option<bool>("--force") { Description = "replace an existing key file" };
        var command = new Command("keygen", "create a command key file readable only by you, and print the gateway configuration that accepts it") { name, output, allow, force };
        command.SetAction((parse, _) =>
        {
            var terminal = terminals(parse.GetValue(color));
            return GwctlCli.Guard(terminal, async () =>
            {
                var id = parse.GetValue(name)!;
                var commands = GeneratedKey.Validate(id, parse.GetValue(allow)!);
                var key = GeneratedKey.Write(parse.GetValue(output) ?? $"{id}.key", id, commands, parse.GetValue(force));
                await terminal.OutWriter.WriteAsync(parse.GetValue(json) ? ToJson(key) : Describe(key)).ConfigureAwait(false);
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    /// <summary>What keygen prints: where the file is, and the gateway's configuration in its three forms.</summary>
    public static string Describe(GeneratedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var allow = string.Join(',', key.Allow);
        var text = new StringBuilder();
        text.Append("wrote ").Append(key.Path).Append(" (key '").Append(key.Key).Append("', ").Append(GeneratedKey.SecretBytes).Append("-byte secret, mode 0600)\n\n");
        text.Append("Give the gateway this key file (keep it mode 600, owned by the gateway's user) and configure it, in any one of these forms:\n\n");
        text.Append("  appsettings.json:\n");
        text.Append("    \"Gateway\": { \"Commands\": { \"Keys\": { \"").Append(key.Key).Append("\": { \"SecretFile\": ").Append(JsonSerializer.Serialize(key.Path, KeygenJson.Default.String))
            .Append(", \"Allow\": \"").Append(allow).Append("\" } } } }\n\n");
        text.Append("  command line:\n");
        foreach (var (k, v) in key.Configuration)
        {
            text.Append("    --").Append(k).Append('=').Append(v).Append('\n');
        }

        text.Append("\n  environment:\n");
        foreach (var (k, v) in key.Configuration)
        {
            text.Append("    GATEWAY_").Append(k.Replace(":", "__", StringComparison.Ordinal)).Append('=').Append(v).Append('\n');
        }

        text.Append("\nThen sign commands with it: gwctl send <gateway> ping --key-file ").Append(key.Path)
            .Append("\n(or: export ").Append(KeyFileReader.EnvironmentVariable).Append('=').Append(key.Path).Append(")\n");
        return text.ToString();
    }

    /// <summary>The same as JSON: <c>{"keyFile":…,"key":…,"allow":[…],"configuration":{…}}</c>.</summary>
    public static string ToJson(GeneratedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("keyFile", key.Path);
            w.WriteString("key", key.Key);
            w.WriteStartArray("allow");
            foreach (var a in key.Allow)
            {
                w.WriteStringValue(a);
            }

            w.WriteEndArray();
            w.WriteStartObject("configuration");
            foreach (var (k, v) in key.Configuration)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class KeygenJson : System.Text.Json.Serialization.JsonSerializerContext;
