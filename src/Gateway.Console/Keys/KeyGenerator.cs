using System.Security.Cryptography;
using Gateway.Console.Cli;
using Gateway.Protocol.Commands;

namespace Gateway.Console.Keys;

/// <summary>A new command key: a file only its owner may read, and the gateway configuration that accepts it.</summary>
/// <param name="Path">The key file, absolute.</param>
/// <param name="Key">The key id.</param>
/// <param name="Allow">The commands the key is meant to run.</param>
internal sealed record GeneratedKey(string Path, string Key, IReadOnlyList<string> Allow)
{
    /// <summary>The secret's length: 32 bytes, the HMAC-SHA256 block-sized recommendation (docs/protocol.md).</summary>
    public const int SecretBytes = 32;

    /// <summary>The gateway's configuration keys and values for this key, in the order the README lists them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Configuration =>
    [
        new($"Gateway:Commands:Keys:{Key}:SecretFile", Path),
        new($"Gateway:Commands:Keys:{Key}:Allow", string.Join(',', Allow)),
    ];

    /// <summary>Checks a key id and an allow list as the gateway will.</summary>
    /// <exception cref="GwctlException">The id is malformed, or the list names a command the gateway does not have (exit 64).</exception>
    public static IReadOnlyList<string> Validate(string key, string allow)
    {
        ArgumentNullException.ThrowIfNull(allow);
        if (!CommandFields.IsToken(key))
        {
            throw new GwctlException(ExitCodes.Usage, $"--name '{key}': a key id is {CommandFields.TokenAllowed}");
        }

        var names = allow.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            throw new GwctlException(ExitCodes.Usage, $"--allow is empty; name the commands the key may run, e.g. {string.Join(',', KnownCommands.OperatorDefault)}");
        }

        var unknown = names.Where(n => !KnownCommands.All.Contains(n)).ToList();
        return unknown.Count == 0
            ? [.. names.Distinct(StringComparer.Ordinal)]
            : throw new GwctlException(ExitCodes.Usage, $"--allow: the gateway has no command {string.Join(", ", unknown.Select(u => $"'{u}'"))}; it has {string.Join(", ", KnownCommands.All)}");
    }

    /// <summary>Writes a new key file with mode 0600 (created so, never widened); an existing file only with <paramref name="overwrite"/>.</summary>
    /// <exception cref="GwctlException">The file exists, or cannot be written.</exception>
    public static GeneratedKey Write(string path, string key, IReadOnlyList<string> allow, bool overwrite)
    {
        var full = System.IO.Path.GetFullPath(path);
        var secret = RandomNumberGenerator.GetBytes(SecretBytes);
        try
        {
            if (File.Exists(full))
            {
                if (!overwrite)
                {
                    throw new GwctlException(ExitCodes.IoError, $"'{path}' exists; keep it, choose another --out, or add --force to replace it (the gateway then needs the new file)");
                }

                File.Delete(full); // created afresh below, so the new file never inherits wider permissions
            }

            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(full, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(CommandKeyFile.Format(key, secret));
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite); // umask can only narrow; make it exact
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new GwctlException(ExitCodes.IoError, $"cannot write key file '{path}': {ex.Message}", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        return new GeneratedKey(full, key, allow);
    }
}
