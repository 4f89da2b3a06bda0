using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.Protocol.Commands;

/// <summary>
/// The command signature (docs/protocol.md, "Commands"): HMAC-SHA256 with the key's secret over the canonical string
/// <code>
/// gateway-command-v1 LF key LF device LF id LF name LF ts LF nonce LF canonical-args
/// </code>
/// where <c>ts</c> is the timestamp exactly as sent and <c>canonical-args</c> the RFC 8785 form of the <c>args</c> object
/// (<c>{}</c> when absent); the signature is sent as 64 lower-case hex digits in <c>sig</c>. Every field that decides
/// what runs, where and when is bound, so no part of a signed command can be changed or moved to another device.
/// </summary>
public static class CommandSigning
{
    /// <summary>The first line of the canonical string: names the scheme, so a later version cannot be confused with this one.</summary>
    public const string Scheme = "gateway-command-v1";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}"u8.ToArray()).RootElement.Clone();

    /// <summary>Smallest secret accepted, in bytes (HMAC-SHA256 keys shorter than the hash weaken it; RFC 2104 §3).</summary>
    public const int MinSecretBytes = 16;

    /// <summary>The canonical string of a command's fields.</summary>
    public static string CanonicalString(string key, string device, string id, string name, string timestamp, string nonce, string canonicalArgs) =>
        string.Join('\n', Scheme, key, device, id, name, timestamp, nonce, canonicalArgs);

    /// <summary>The canonical string of <paramref name="command"/>; its <c>args</c> must be a JSON object or absent.</summary>
    /// <exception cref="FormatException">A signed field is missing, or <c>args</c> is not an object.</exception>
    public static string CanonicalString(CommandMessage command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return CanonicalString(
            command.Key ?? throw new FormatException("'key' is missing"),
            command.Device ?? throw new FormatException("'device' is missing"),
            command.Id,
            command.Name ?? throw new FormatException("'name' is missing"),
            command.Timestamp ?? throw new FormatException("'ts' is missing"),
            command.Nonce ?? throw new FormatException("'nonce' is missing"),
            CanonicalArgs(command.Args));
    }

    /// <summary>
    /// The RFC 8785 text of an <c>args</c> value given as JSON text; <c>{}</c> when absent. This is where a command's
    /// arguments are checked (the pipeline's <c>bad_field</c>): an object, at most <see cref="MessageParser.MaxDepth"/>
    /// deep, I-JSON (unique names, no lone surrogates), numbers finite doubles.
    /// </summary>
    /// <exception cref="FormatException">It is not such an object; the message says what is wrong and where.</exception>
    public static string CanonicalArgs(string? argsJson) => Canonical(argsJson, keepArgs: false, out _);

    /// <summary>
    /// <see cref="CanonicalArgs(string?)"/>, also giving the parsed object (a detached element; an empty object when
    /// absent), so that the command pipeline parses a command's arguments once (issue 17, item 5).
    /// </summary>
    /// <exception cref="FormatException">It is not such an object; the message says what is wrong and where.</exception>
    public static string CanonicalArgs(string? argsJson, out JsonElement args) => Canonical(argsJson, keepArgs: true, out args);

    private static string Canonical(string? argsJson, bool keepArgs, out JsonElement args)
    {
        if (argsJson is null)
        {
            args = EmptyObject;
            return "{}";
        }

        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(argsJson);
        }
        catch (EncoderFallbackException)
        {
            throw new FormatException("'args' is not Unicode text: it holds a lone surrogate (RFC 8259 §8.2)");
        }

        try
        {
            using var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MessageParser.MaxDepth });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"'args' must be a JSON object, got {document.RootElement.ValueKind}");
            }

            var canonical = JsonCanonicalizer.Canonicalize(document.RootElement, rootName: "args");
            args = keepArgs ? document.RootElement.Clone() : default;
            return canonical;
        }
        catch (JsonException ex)
        {
            throw new FormatException($"'args' is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>HMAC-SHA256 of <paramref name="canonical"/> (UTF-8) under <paramref name="secret"/>, as 64 lower-case hex digits.</summary>
    public static string Sign(ReadOnlySpan<byte> secret, string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(canonical), mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// True when <paramref name="signature"/> is the signature of <paramref name="canonical"/> (compared in constant
    /// time). Only the documented form is accepted: exactly 64 lower-case hex digits (one spelling per signature).
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> secret, string canonical, string? signature)
    {
        if (signature is null || signature.Length != HMACSHA256.HashSizeInBytes * 2 || !signature.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (Convert.FromHexString(signature, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != given.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(canonical), expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>
    /// A signed command, as a console (gwctl, the web console, tests) builds one: <paramref name="argsJson"/> is sent in
    /// its canonical form, <paramref name="timestamp"/> as ISO 8601 UTC with milliseconds.
    /// </summary>
    public static CommandMessage Create(string key, ReadOnlySpan<byte> secret, string device, string id, string name, string? argsJson, DateTimeOffset timestamp, string nonce)
    {
        var args = CanonicalArgs(argsJson);
        var ts = timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var signature = Sign(secret, CanonicalString(key, device, id, name, ts, nonce, args));
        return new CommandMessage(id, device, name, args, key, ts, nonce, signature);
    }

    /// <summary>A fresh random nonce: 16 bytes as 32 lower-case hex digits.</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
