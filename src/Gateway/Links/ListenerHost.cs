using System.Net;
using Gateway.Configuration;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// The one listener host, whatever the transport (the TCP listener, the WebSocket listener, the web console's
/// <c>/ws</c>): admits a connection within <see cref="ListenerOptions.MaxConnections"/> in all and
/// <see cref="ListenerOptions.MaxConnectionsPerAddress"/> from one address (issue 14, finding 8), runs a
/// <see cref="ListenerSession"/> (hello, live readings, the inbound dispatcher, the idle deadline) on the channel the
/// transport opens, and costs a failing connection that connection only: logged with its peer, the listener goes on.
/// A transport is a thin adapter: it says who the peer is, how to refuse it, and how to open its message channel.
/// </summary>
internal sealed partial class ListenerHost
{
    private readonly ListenerOptions _listener;
    private readonly GatewayOptions _options;
    private readonly LiveFeed _feed;
    private readonly Commands.CommandPipeline _commands;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConnectionLimiter _slots;
    private readonly string _label;

    /// <summary>Creates the host of one listener.</summary>
    /// <param name="name">The listener's name in the log and the audit, e.g. <c>listener tcp</c>.</param>
    /// <param name="listener">Limits, idle timeout, line length, write timeout.</param>
    /// <param name="options">The device id and sensors (the hello).</param>
    /// <param name="feed">The live readings (and the hello's next sequence number).</param>
    /// <param name="commands">Runs the consoles' commands.</param>
    /// <param name="time">The sessions' clock (idle deadline).</param>
    /// <param name="logger">Where refusals and failed connections are logged.</param>
    public ListenerHost(string name, ListenerOptions listener, GatewayOptions options, LiveFeed feed, Commands.CommandPipeline commands, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(listener);
        Name = name;
        _label = string.Concat(name[..1].ToUpperInvariant(), name.AsSpan(1)); // "Listener tcp", "Web console"
        _listener = listener;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _feed = feed ?? throw new ArgumentNullException(nameof(feed));
        _commands = commands ?? throw new ArgumentNullException(nameof(commands));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _slots = new ConnectionLimiter(listener.MaxConnections, listener.MaxConnectionsPerAddress);
    }

    /// <summary>The listener's name, e.g. <c>listener tcp</c>.</summary>
    public string Name { get; }

    /// <summary>The listener's settings (line length and write timeout for a transport's channel).</summary>
    public ListenerOptions Options => _listener;

    /// <summary>The sessions' clock (also a transport channel's write timeout).</summary>
    public TimeProvider Time => _time;

    /// <summary>Connections held now.</summary>
    public int Connections => _slots.Count;

    /// <summary>
    /// Serves one connection to its end: a slot, then a session on the channel <paramref name="open"/> gives (which the
    /// host disposes), or, with no slot free, <paramref name="refuse"/> with the reason. Never throws for anything the
    /// peer does; only a bug is logged, and it ends this connection only.
    /// </summary>
    /// <param name="address">The peer's address (null: unknown), for the per-address limit.</param>
    /// <param name="peer">The peer as logged, e.g. <c>127.0.0.1:53122</c>.</param>
    /// <param name="open">Opens the connection's message channel (accepts the WebSocket, wraps the stream).</param>
    /// <param name="refuse">Tells a peer over the limits why it is turned away (an error line, HTTP 503).</param>
    /// <param name="token">Ends the session (the gateway stopping, the page logged out).</param>
    public async Task ServeAsync(IPAddress? address, string peer, Func<CancellationToken, Task<IMessageChannel>> open, Func<string, CancellationToken, Task> refuse, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(refuse);
        try
        {
            using var slot = _slots.TryAcquire(address, out var why);
            if (slot is null)
            {
                LogRefused(_logger, _label, peer, why);
                await refuse(why, token).ConfigureAwait(false);
                return;
            }

            await using var channel = await open(token).ConfigureAwait(false);
            var session = new ListenerSession(channel, _feed, _commands, Name, _options, _listener, _logger, _time);
            await session.RunAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsPeerGone(ex))
        {
            // the peer went away (or did not even take the refusal), or the gateway stops
        }
#pragma warning disable CA1031 // no single connection's failure may stop the listener: logged with the peer, the connection dropped
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(_logger, _label, peer, ex.GetType().Name, ex.Message, ex);
        }
    }

    private static bool IsPeerGone(Exception ex) =>
        ex is IOException or ChannelClosedException or OperationCanceledException or ObjectDisposedException or System.Net.WebSockets.WebSocketException
            or TlsHandshakeException; // refused by the listener's TLS, which logged it

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Listener} refused {Peer}: {Reason} (Gateway:Listener:MaxConnections, MaxConnectionsPerAddress)")]
    private static partial void LogRefused(ILogger logger, string listener, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Listener}: the connection of {Peer} failed unexpectedly ({Type}: {Error}); dropped it, still accepting")]
    private static partial void LogFailed(ILogger logger, string listener, string peer, string type, string error, Exception exception);
}
