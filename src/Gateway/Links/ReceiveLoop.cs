using Gateway.Protocol.Transport;

namespace Gateway.Links;

/// <summary>
/// The receive side of every session, link or listener: what the peer sends, handed on one message at a time, until
/// the peer closes the connection (the loop returns), stays silent past its allowance (<see cref="PeerSilentException"/>),
/// or breaks the framing (answered with the channel's reply, then the <see cref="FramingViolationException"/> goes on:
/// the connection is unusable). docs/protocol.md, Delivery and Listeners.
/// </summary>
internal static class ReceiveLoop
{
    /// <summary>Receives until the peer closes.</summary>
    /// <param name="channel">The connection.</param>
    /// <param name="silenceAllowed">Asked before each receive: how much longer the peer may say nothing valid (zero or less: no more).</param>
    /// <param name="time">The clock of the silence allowance.</param>
    /// <param name="handle">Takes each message (or each problem with a line) in the order received.</param>
    /// <param name="token">Ends the loop.</param>
    /// <exception cref="PeerSilentException">Nothing arrived within the allowance.</exception>
    /// <exception cref="FramingViolationException">The peer broke the framing; its reply, if any, was sent.</exception>
    /// <exception cref="ChannelClosedException">The connection broke.</exception>
    public static async Task RunAsync(IMessageChannel channel, Func<TimeSpan> silenceAllowed, TimeProvider time, Func<Inbound, Task> handle, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(silenceAllowed);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(handle);
        while (true)
        {
            IReadOnlyList<Inbound> received;
            var allowed = silenceAllowed();
            using (var silence = new CancellationTokenSource(allowed > TimeSpan.Zero ? allowed : TimeSpan.Zero, time))
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(token, silence.Token))
            {
                try
                {
                    received = await channel.ReceiveAsync(limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!token.IsCancellationRequested)
                {
                    throw new PeerSilentException($"{channel.Peer} sent nothing valid in time", ex);
                }
                catch (FramingViolationException ex) when (ex.Reply is { } reply)
                {
                    await channel.SendAsync(reply, token).ConfigureAwait(false);
                    throw;
                }
            }

            if (received.Count == 0)
            {
                return;
            }

            foreach (var inbound in received)
            {
                await handle(inbound).ConfigureAwait(false);
            }
        }
    }
}
