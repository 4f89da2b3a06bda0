namespace Gateway.Protocol.Commands;

/// <summary>What the signed text fields of a command may hold: no field may contain the canonical string's separator.</summary>
public static class CommandFields
{
    /// <summary>What ids, key ids, names and devices accept.</summary>
    public const string TokenAllowed = "1 to 64 characters from A-Z a-z 0-9 . _ : @ -";

    /// <summary>What a nonce accepts.</summary>
    public const string NonceAllowed = "8 to 64 characters from A-Z a-z 0-9 _ -";

    /// <summary>True for an id, key id, command name or device id (<see cref="TokenAllowed"/>).</summary>
    public static bool IsToken(string? value) => value is { Length: > 0 and <= 64 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '@' or '-');

    /// <summary>True for a nonce (<see cref="NonceAllowed"/>).</summary>
    public static bool IsNonce(string? value) => value is { Length: >= 8 and <= 64 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
