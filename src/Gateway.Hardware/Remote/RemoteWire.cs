using System.Text.Json;

namespace Gateway.Hardware.Remote;

/// <summary>
/// Reading one line of the firmware-sim protocol (docs/protocol.md, "firmware-sim bus protocol"): pure functions over
/// the text, so that the client's reader and the server can be tested and fuzzed without sockets. Bad input ends in
/// <see cref="InvalidDataException"/> and nothing else.
/// </summary>
public static class RemoteWire
{
    private const int MaxQuoted = 200;

    /// <summary>A line from the simulator: a response or an event; null for the JSON literal <c>null</c>.</summary>
    /// <exception cref="InvalidDataException">The line is not a protocol message; the message says why.</exception>
    public static RemoteResponse? ParseResponse(string line) => Parse(line, RemoteJsonContext.Default.RemoteResponse, "firmware-sim sent a line that is not a protocol message");

    /// <summary>A request line; null for the JSON literal <c>null</c>.</summary>
    /// <exception cref="InvalidDataException">The line is not a request; the message says why.</exception>
    public static RemoteRequest? ParseRequest(string line) => Parse(line, RemoteJsonContext.Default.RemoteRequest, "not a JSON request");

    private static T? Parse<T>(string line, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(line);
        try
        {
            return JsonSerializer.Deserialize(line, type);
        }
        catch (JsonException ex)
        {
            // System.Text.Json quotes an invalid literal up to the next delimiter, up to the whole line: the answer and
            // the log quote a bounded part (found by the fuzzer: a 64 KiB line echoed back in the badRequest answer).
            var detail = ex.Message.Length > MaxQuoted ? ex.Message[..MaxQuoted] + "…" : ex.Message;
            throw new InvalidDataException($"{what}: {detail}", ex);
        }
    }
}
