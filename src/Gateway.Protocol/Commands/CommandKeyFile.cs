using System.Text;
using System.Text.Json;
using Gateway.Protocol.Json;

namespace Gateway.Protocol.Commands;

/// <summary>
/// A command key file: <c>{"key":"operator","secret":"&lt;base64, at least 16 bytes&gt;"}</c>. The gateway reads it
/// (<c>Gateway:Commands:Keys:&lt;id&gt;:SecretFile</c>) and so do consoles that sign commands (gwctl <c>--key-file</c>).
/// Parsing is pure; reading the file and checking its permissions is the caller's.
/// </summary>
/// <param name="Key">The key id.</param>
/// <param name="Secret">The secret bytes.</param>
public sealed record CommandKeyFile(string Key, byte[] Secret)
{
    private const int MaxDepth = 64; // System.Text.Json's default for JsonDocument.Parse

    /// <summary>Parses a key file's text.</summary>
    /// <exception cref="FormatException">What is wrong with it (never quoting the secret).</exception>
    public static CommandKeyFile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var utf8 = Encoding.UTF8.GetBytes(text); // text read from a UTF-8 file: it holds no lone surrogate characters
            using var document = JsonDocument.Parse(utf8);
            if (StrictJson.FindProblem(utf8, MaxDepth, rootName: "key file") is { } problem)
            {
                throw new FormatException(problem);
            }

            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("a key file is a JSON object {\"key\":…,\"secret\":…}");
            }

            var key = root.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : throw new FormatException("'key' is missing or not a string");
            var secret = root.TryGetProperty("secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : throw new FormatException("'secret' is missing or not a string");
            return new CommandKeyFile(key, DecodeSecret(secret));
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not valid JSON ({ex.Message})", ex);
        }
    }

    /// <summary>Decodes a base64 secret and checks its length.</summary>
    /// <exception cref="FormatException">Not base64, or shorter than <see cref="CommandSigning.MinSecretBytes"/> bytes.</exception>
    public static byte[] DecodeSecret(string base64)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new FormatException("the secret is not base64");
        }

        return bytes.Length >= CommandSigning.MinSecretBytes
            ? bytes
            : throw new FormatException($"the secret is {bytes.Length} bytes; at least {CommandSigning.MinSecretBytes} are needed (32 recommended)");
    }

    /// <summary>The file's text for <paramref name="key"/> and <paramref name="secret"/>.</summary>
    public static string Format(string key, ReadOnlySpan<byte> secret) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["key"] = key, ["secret"] = Convert.ToBase64String(secret) }, KeyFileJson.Default.DictionaryStringString) + "\n";

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"key file for '{Key}'";
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class KeyFileJson : System.Text.Json.Serialization.JsonSerializerContext;
