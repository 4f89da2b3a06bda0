using System.Text.Json.Serialization;

namespace Gateway.Hardware.Remote;

/// <summary>
/// One request from the gateway (or the firmware-sim CLI) to a firmware-sim process: a JSON object on one line
/// (docs/protocol.md, "firmware-sim bus protocol"). Fields are used as <see cref="Op"/> needs them; bytes are hex.
/// </summary>
public sealed record RemoteRequest
{
    /// <summary>Correlates the response; unique per connection.</summary>
    public long Id { get; init; }

    /// <summary>The operation, e.g. <c>i2c.writeRead</c> (see <see cref="RemoteOps"/>).</summary>
    public string Op { get; init; } = string.Empty;

    /// <summary>I2C bus number.</summary>
    public int? Bus { get; init; }

    /// <summary>I2C 7-bit address.</summary>
    public int? Addr { get; init; }

    /// <summary>Bytes to write, hex.</summary>
    public string? Write { get; init; }

    /// <summary>Number of bytes to read.</summary>
    public int? Read { get; init; }

    /// <summary>GPIO chip number.</summary>
    public int? Chip { get; init; }

    /// <summary>GPIO line offset.</summary>
    public int? Pin { get; init; }

    /// <summary>A <see cref="System.Device.Gpio.PinMode"/> name.</summary>
    public string? Mode { get; init; }

    /// <summary>A line level, 0 or 1.</summary>
    public int? Value { get; init; }

    /// <summary>Debounce period in microseconds.</summary>
    public long? DebounceUs { get; init; }

    /// <summary>Edges to report: <c>rising</c>, <c>falling</c> or <c>both</c>.</summary>
    public string? Edges { get; init; }

    /// <summary>1-Wire slave id, e.g. <c>28-000005e2fdc3</c>.</summary>
    public string? Device { get; init; }

    /// <summary>1-Wire slave file, e.g. <c>w1_slave</c>.</summary>
    public string? File { get; init; }

    /// <summary>1-Wire family filter.</summary>
    public int? Family { get; init; }

    /// <summary>A fault, e.g. <c>nack bme280</c>, or a fault target to clear.</summary>
    public string? Fault { get; init; }
}

/// <summary>
/// A line from the firmware-sim process: the response to a request (<see cref="Id"/> set), or an event
/// pushed on its own (<see cref="Event"/> set, e.g. a GPIO edge).
/// </summary>
public sealed record RemoteResponse
{
    /// <summary>The request this answers; null for events.</summary>
    public long? Id { get; init; }

    /// <summary>True when the operation succeeded.</summary>
    public bool Ok { get; init; }

    /// <summary>Error kind when not ok (see <see cref="RemoteErrors"/>).</summary>
    public string? Error { get; init; }

    /// <summary>Human-readable error or information.</summary>
    public string? Message { get; init; }

    /// <summary>Bytes read, hex.</summary>
    public string? Data { get; init; }

    /// <summary>A number: a line level, a line count.</summary>
    public int? Value { get; init; }

    /// <summary>Texts: line names, 1-Wire ids, active faults.</summary>
    public IReadOnlyList<string?>? Items { get; init; }

    /// <summary>A text: file content, a description.</summary>
    public string? Text { get; init; }

    /// <summary>Event kind for pushed lines: <c>edge</c>.</summary>
    public string? Event { get; init; }

    /// <summary>Event: the chip.</summary>
    public int? Chip { get; init; }

    /// <summary>Event: the line.</summary>
    public int? Pin { get; init; }

    /// <summary>Event: <c>rising</c> or <c>falling</c>.</summary>
    public string? Edge { get; init; }

    /// <summary>Event: timestamp in nanoseconds of the board's monotonic clock.</summary>
    public long? Ts { get; init; }

    /// <summary>Event: per-line sequence number.</summary>
    public uint? Seq { get; init; }
}

/// <summary>The operations of the firmware-sim bus protocol.</summary>
public static class RemoteOps
{
#pragma warning disable CS1591 // each constant is the operation's wire name; docs/protocol.md describes them
    public const string Hello = "hello";
    public const string I2cRead = "i2c.read";
    public const string I2cWrite = "i2c.write";
    public const string I2cWriteRead = "i2c.writeRead";
    public const string GpioInfo = "gpio.info";
    public const string GpioOpen = "gpio.open";
    public const string GpioClose = "gpio.close";
    public const string GpioMode = "gpio.mode";
    public const string GpioRead = "gpio.read";
    public const string GpioWrite = "gpio.write";
    public const string GpioDebounce = "gpio.debounce";
    public const string GpioSubscribe = "gpio.subscribe";
    public const string GpioUnsubscribe = "gpio.unsubscribe";
    public const string W1List = "w1.list";
    public const string W1Read = "w1.read";
    public const string FaultInject = "fault.inject";
    public const string FaultClear = "fault.clear";
    public const string FaultList = "fault.list";
    public const string SimLine = "sim.line";
#pragma warning restore CS1591
}

/// <summary>System.Text.Json source generation for the firmware-sim protocol (no reflection; AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RemoteRequest))]
[JsonSerializable(typeof(RemoteResponse))]
public sealed partial class RemoteJsonContext : JsonSerializerContext;
