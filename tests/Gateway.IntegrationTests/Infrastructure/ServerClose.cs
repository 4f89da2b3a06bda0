using System.Net.Sockets;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>Waiting for the other end of a TCP connection to close it.</summary>
internal static class ServerClose
{
    /// <summary>Completes when the server closes the connection: a read returns 0 or fails (reset). Bytes before it are read and dropped (an error response before the close is fine).</summary>
    public static async Task WaitAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, ct) > 0)
            {
            }
        }
        catch (IOException)
        {
            // reset by the server: closed too
        }
    }
}
