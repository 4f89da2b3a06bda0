namespace Gateway.Protocol;

/// <summary>A protocol message; <see cref="Type"/> is its <c>type</c> field on the wire.</summary>
public abstract record Message
{
    /// <summary>The <c>type</c> field.</summary>
    public abstract string Type { get; }
}

/// <summary>One reading (gateway → peer). <c>{"type":"reading","device":…,"seq":…,"ts":…,"sensor":…,"quantity":…,"value":…,"unit":…}</c></summary>
/// <param name="Device">The gateway's device id.</param>
/// <param name="Seq">Per-device sequence number, only ever growing.</param>
/// <param name="Timestamp">When it was measured (UTC; milliseconds on the wire, ISO 8601).</param>
/// <param name="Sensor">Sensor id.</param>
/// <param name="Quantity">What was measured.</param>
/// <param name="Value">The value.</param>
/// <param name="Unit">SenML unit.</param>
public sealed record ReadingMessage(string Device, long Seq, DateTimeOffset Timestamp, string Sensor, string Quantity, double Value, string Unit) : Message
{
    /// <inheritdoc/>
    public override string Type => "reading";
}

/// <summary>A sensor event such as a health change, numbered like readings (gateway → peer).</summary>
/// <param name="Device">Device id.</param>
/// <param name="Seq">Sequence number (events share the readings' numbering).</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Sensor">The sensor concerned.</param>
/// <param name="Kind">What kind of event: <c>health</c>.</param>
/// <param name="Message">What happened, e.g. <c>failed: no acknowledge from i2c-1@0x76</c>.</param>
public sealed record EventMessage(string Device, long Seq, DateTimeOffset Timestamp, string Sensor, string Kind, string Message) : Message
{
    /// <inheritdoc/>
    public override string Type => "event";
}

/// <summary>Sent by the gateway first on every connection.</summary>
/// <param name="Device">Device id.</param>
/// <param name="Firmware">The gateway's version.</param>
/// <param name="ProtocolVersion">The protocol version spoken (<see cref="ProtocolInfo.Version"/>).</param>
/// <param name="Sensors">The configured sensor ids.</param>
/// <param name="NextSeq">The next seq this link will send (its cursor + 1).</param>
public sealed record HelloMessage(string Device, string Firmware, int ProtocolVersion, IReadOnlyList<string> Sensors, long NextSeq) : Message
{
    /// <inheritdoc/>
    public override string Type => "hello";
}

/// <summary>Cumulative acknowledgement (peer → gateway): every seq ≤ <paramref name="Seq"/> is stored by the peer.</summary>
/// <param name="Seq">The highest seq stored.</param>
public sealed record AckMessage(long Seq) : Message
{
    /// <inheritdoc/>
    public override string Type => "ack";
}

/// <summary>Readings that will never be sent: lost to a cap or a full memory (gateway → peer).</summary>
/// <param name="From">First lost seq.</param>
/// <param name="To">Last lost seq.</param>
/// <param name="Reason">E.g. <c>MaxBytes</c>.</param>
public sealed record GapMessage(long From, long To, string Reason) : Message
{
    /// <inheritdoc/>
    public override string Type => "gap";
}

/// <summary>An error reply: what was wrong with what the other side sent.</summary>
/// <param name="Code">A stable code, see <see cref="ErrorCodes"/>.</param>
/// <param name="Message">Human-readable detail.</param>
public sealed record ErrorMessage(string Code, string Message) : Message
{
    /// <inheritdoc/>
    public override string Type => "error";
}

/// <summary>Liveness probe; answered with <see cref="PongMessage"/>.</summary>
public sealed record PingMessage : Message
{
    /// <inheritdoc/>
    public override string Type => "ping";
}

/// <summary>Answer to <see cref="PingMessage"/>.</summary>
public sealed record PongMessage : Message
{
    /// <inheritdoc/>
    public override string Type => "pong";
}

/// <summary>Discovery announcement on the UDP link (gateway → LAN), every few seconds.</summary>
/// <param name="Device">Device id.</param>
/// <param name="Firmware">The gateway's version.</param>
/// <param name="UptimeSeconds">Seconds since the gateway started.</param>
/// <param name="Listeners">Where consoles can connect, e.g. <c>tcp://192.0.2.10:7000</c> (empty when none).</param>
public sealed record BeaconMessage(string Device, string Firmware, long UptimeSeconds, IReadOnlyList<string> Listeners) : Message
{
    /// <inheritdoc/>
    public override string Type => "beacon";
}

/// <summary>The protocol's constants.</summary>
public static class ProtocolInfo
{
    /// <summary>The protocol version this code speaks.</summary>
    public const int Version = 1;

    /// <summary>Default longest NDJSON line (64 KiB).</summary>
    public const int DefaultMaxLineLength = 64 * 1024;

    /// <summary>Largest UDP datagram sent: one message each, small enough never to be fragmented on common links.</summary>
    public const int MaxDatagram = 1200;
}

/// <summary>Codes of <see cref="ErrorMessage"/>.</summary>
public static class ErrorCodes
{
#pragma warning disable CS1591 // the names say it; docs/protocol.md lists them with their meaning
    public const string LineTooLong = "line_too_long";
    public const string InvalidUtf8 = "invalid_utf8";
    public const string MalformedJson = "malformed_json";
    public const string UnknownType = "unknown_type";
    public const string BadField = "bad_field";
    public const string UnexpectedAck = "unexpected_ack";
#pragma warning restore CS1591
}

/// <summary>
/// A remote-control command (peer → gateway), signed with a command key (see <see cref="Commands.CommandSigning"/>).
/// Every field but <see cref="Id"/> may be missing on the wire; the gateway's command pipeline answers each such case
/// with a <see cref="ResultMessage"/> naming what was wrong.
/// </summary>
/// <param name="Id">The command's id, chosen by the sender; the result carries it back; a repeat returns the first result.</param>
/// <param name="Device">The device it is meant for.</param>
/// <param name="Name">The command, e.g. <c>output.set</c>.</param>
/// <param name="Args">The <c>args</c> value as JSON text (an object), or null when absent.</param>
/// <param name="Key">The id of the key that signed it.</param>
/// <param name="Timestamp">When it was signed, ISO 8601, exactly as sent (it is part of the signed text).</param>
/// <param name="Nonce">A value never used before by this key within the replay window.</param>
/// <param name="Signature">HMAC-SHA256 of the canonical string, 64 lower-case hex digits.</param>
public sealed record CommandMessage(string Id, string? Device, string? Name, string? Args, string? Key, string? Timestamp, string? Nonce, string? Signature) : Message
{
    /// <inheritdoc/>
    public override string Type => "command";
}

/// <summary>The answer to a <see cref="CommandMessage"/> (gateway → peer), on the link the command came from.</summary>
/// <param name="Id">The command's id.</param>
/// <param name="Ok">True when the command ran and succeeded.</param>
/// <param name="Code">When not ok: a stable code (see <see cref="Commands.ResultCodes"/>).</param>
/// <param name="Message">When not ok: what was wrong.</param>
/// <param name="Data">When ok: the command's result as JSON text (an object), or null.</param>
/// <param name="Duplicate">True when this repeats the result of an earlier command with the same id, which did not run again.</param>
public sealed record ResultMessage(string Id, bool Ok, string? Code = null, string? Message = null, string? Data = null, bool Duplicate = false) : Message
{
    /// <inheritdoc/>
    public override string Type => "result";
}
