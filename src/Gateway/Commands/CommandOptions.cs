namespace Gateway.Commands;

/// <summary><c>Gateway:Commands</c>: who may command this gateway, and the limits on commands.</summary>
internal sealed record CommandOptions
{
    /// <summary><c>Keys:&lt;id&gt;</c>: the command keys, by id. No keys: every command is refused (<c>unknown_key</c>).</summary>
    public IReadOnlyDictionary<string, CommandKey> Keys { get; init; } = new Dictionary<string, CommandKey>();

    /// <summary><c>ClockSkew</c>: how far a command's timestamp may be from the gateway's clock, either way.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Timeout</c>: how long a command may run before it is answered with <c>timeout</c>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>MaxInFlight</c>: commands running at once, over all links; more are answered <c>busy</c>.</summary>
    public int MaxInFlight { get; init; } = 8;

    /// <summary><c>RatePerLink</c>: commands per second per connection (burst of the same size); more are answered <c>rate_limited</c>.</summary>
    public int RatePerLink { get; init; } = 20;

    /// <summary><c>RatePerKey</c>: commands per second per key, over all links.</summary>
    public int RatePerKey { get; init; } = 20;

    /// <summary><c>MaxArgsBytes</c>: the largest <c>args</c> accepted, in bytes of JSON.</summary>
    public int MaxArgsBytes { get; init; } = 4096;

    /// <summary><c>Audit:MaxBytes</c>: the audit file is rotated when it grows past this.</summary>
    public long AuditMaxBytes { get; init; } = 1024 * 1024;

    /// <summary><c>Audit:Files</c>: rotated audit files kept (audit.log.1 … audit.log.N).</summary>
    public int AuditFiles { get; init; } = 5;

    /// <summary>True when at least one key is configured (what listening beyond loopback requires).</summary>
    public bool Authenticated => Keys.Count > 0;
}

/// <summary>A command key: its id, secret and the commands it may run.</summary>
internal sealed class CommandKey(string id, byte[] secret, IReadOnlySet<string> allow)
{
    /// <summary>The key id sent in <c>key</c>.</summary>
    public string Id { get; } = id;

    /// <summary>The HMAC secret. Never logged, never shown by <c>config.get</c>.</summary>
    public byte[] Secret { get; } = secret;

    /// <summary>Command names this key may run.</summary>
    public IReadOnlySet<string> Allow { get; } = allow;

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"key {Id} (may run {string.Join(", ", Allow)})";
}
