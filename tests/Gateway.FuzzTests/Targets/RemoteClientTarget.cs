using System.Text;
using Gateway.FuzzTests.Engine;
using Gateway.Hardware;
using Gateway.Hardware.Remote;

namespace Gateway.FuzzTests.Targets;

/// <summary>
/// The remote-board client's reply parsing (src/Gateway.Hardware/Remote: <see cref="RemoteWire.ParseResponse"/>, which
/// <see cref="RemoteConnection"/>'s reader runs on every line, then <see cref="RemoteErrors.ToException"/> for an
/// error). Property: a response, or <see cref="InvalidDataException"/> (on which the reader drops the connection and
/// fails every waiter); an error response becomes a <see cref="HardwareException"/> or, for <c>badRequest</c>, an
/// <see cref="ArgumentException"/>.
/// </summary>
internal sealed class RemoteClientTarget : IFuzzTarget
{
    public string Name => "remote-client";

    public IReadOnlyList<byte[]> Corpus { get; } = Engine.Corpus.RemoteResponses();

    // LineStream's bound.
    public int MaxInputBytes => 64 * 1024;

    public bool Synchronous => true;

    // Decoding (an invalid byte becomes U+FFFD, three bytes again for the serializer) and the serializer's error:
    // linear, at most 34 bytes a byte measured (64 KiB of invalid UTF-8, seed 2026 long run).
    public long AllocationLimit(int length) => (128 * 1024) + (48L * length);

    public string Run(byte[] input)
    {
        // As LineStream hands a line over: decoded as UTF-8 (invalid bytes become U+FFFD), without its newline.
        var line = Encoding.UTF8.GetString(input).Split('\n')[0];
        RemoteResponse? response;
        try
        {
            response = RemoteWire.ParseResponse(line);
        }
        catch (InvalidDataException)
        {
            return "not a message (connection dropped)";
        }

        if (response is null)
        {
            return "null (ignored)";
        }

        if (response.Id is null)
        {
            return response.Event is null ? "no id (ignored)" : "event";
        }

        if (response.Ok)
        {
            return "ok";
        }

        var exception = RemoteErrors.ToException(response.Error, response.Message, "i2c-1@0x76");
        return exception is HardwareException or ArgumentException
            ? "error " + exception.GetType().Name
            : throw new FuzzPropertyException($"error kind '{response.Error}' became {exception.GetType().Name}");
    }
}
