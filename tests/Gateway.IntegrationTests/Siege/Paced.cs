using System.Net.Sockets;
using System.Text;

namespace Gateway.IntegrationTests.Siege;

/// <summary>Pacing and reply bookkeeping shared by the hostile senders.</summary>
internal static class Paced
{
    /// <summary>Waits <paramref name="delay"/>; false once the siege is over.</summary>
    public static async Task<bool> WaitAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Counts the <c>code</c> of each error or refused result in <paramref name="chunk"/> (bytes the gateway sent back)
    /// as an outcome of <paramref name="channel"/>. Approximate at chunk boundaries; it is a figure, not an assertion.
    /// </summary>
    public static void CountCodes(ReadOnlySpan<byte> chunk, SiegeLedger ledger, string channel)
    {
        var marker = "\"code\":\""u8;
        while (chunk.IndexOf(marker) is var at and >= 0)
        {
            chunk = chunk[(at + marker.Length)..];
            var end = chunk.IndexOf((byte)'"');
            if (end is < 0 or > 40)
            {
                return;
            }

            ledger.Outcome(channel, "reply " + Encoding.UTF8.GetString(chunk[..end]));
            chunk = chunk[end..];
        }
    }

    /// <summary>Reads whatever the gateway sends back on <paramref name="socket"/> and counts the codes; ends when it hangs up.</summary>
    public static async Task DrainAsync(Socket socket, SiegeLedger ledger, string channel, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!token.IsCancellationRequested)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
                if (n == 0)
                {
                    ledger.Outcome(channel, "closed by the gateway");
                    return;
                }

                CountCodes(buffer.AsSpan(0, n), ledger, channel);
            }
        }
        catch (Exception ex) when (LoopbackSources.IsHangUp(ex))
        {
            // hung up, or the siege is over
        }
    }
}
