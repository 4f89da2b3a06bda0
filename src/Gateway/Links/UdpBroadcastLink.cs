using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Status;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// The UDP broadcast link: best effort, live. It follows the outbox's commits (a live cursor: it never holds readings
/// back from clean-up), sends each reading or event as one datagram of at most <see cref="ProtocolInfo.MaxDatagram"/>
/// bytes (SO_BROADCAST), and a <c>beacon</c> every <see cref="UdpLinkOptions.BeaconInterval"/> for discovery, on the
/// link's clock. A message that would not fit is counted and logged, never fragmented. A session starts by resolving
/// the endpoint: a host that does not resolve (no DNS yet at boot) is an outage the link service retries with backoff,
/// never a reason for the gateway to stop. After an outage it goes on live: what was stored meanwhile is skipped
/// (counted and logged; the durable links still have it).
/// </summary>
internal sealed partial class UdpBroadcastLink : LinkService
{
    private const int ReadBatch = 500;
    private readonly UdpLinkOptions _link;
    private readonly string _device;
    private readonly ListenerDirectory _listeners;
    private readonly ILogger<UdpBroadcastLink> _logger;
    private readonly long _started;
    private readonly List<StoredRecord> _rows = [];
    private long _sent;
    private long _oversized;
    private long _skipped;
    private bool _firstSession = true;

    /// <summary>Creates the link.</summary>
    public UdpBroadcastLink(UdpLinkOptions link, GatewayOptions options, Outbox.Outbox outbox, StatusBoard status, ListenerDirectory listeners, ILogger<UdpBroadcastLink> logger, TimeProvider? time = null)
        : base(
            link?.Name ?? throw new ArgumentNullException(nameof(link)),
            link.Endpoint.ToString(),
            TimeSpan.FromSeconds(30),
            () => (outbox ?? throw new ArgumentNullException(nameof(outbox))).OpenLiveCursor(),
            status,
            time ?? TimeProvider.System,
            new Random(),
            logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _link = link;
        _device = options.DeviceId;
        _listeners = listeners;
        _logger = logger;
        _started = Time.GetTimestamp();
    }

    /// <inheritdoc/>
    public override string Kind => "udp";

    /// <summary>Datagrams sent.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Readings and events stored while the link was down, not sent (best effort, live).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <inheritdoc/>
    protected override async Task<LinkEnd> RunSessionAsync(OutboxCursor cursor, CancellationToken token, CancellationToken stopping)
    {
        var target = await ResolveAsync(token).ConfigureAwait(false);
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        SkipBacklog(cursor);
        Connected($"sending readings and events live (best effort, no acks) and a beacon every {_link.BeaconInterval.TotalSeconds}s to {target}");

        var buffer = new ArrayBufferWriter<byte>(ProtocolInfo.MaxDatagram * 2);
        var nextBeacon = TimeSpan.Zero;
        while (true)
        {
            var now = Time.GetElapsedTime(_started);
            if (now >= nextBeacon)
            {
                await SendAsync(socket, target, new BeaconMessage(_device, GatewayHost.Version, (long)now.TotalSeconds, _listeners.Urls), buffer, token).ConfigureAwait(false);
                nextBeacon = now + _link.BeaconInterval;
            }

            var count = cursor.TryRead(_rows, ReadBatch);
            for (var i = 0; i < count; i++)
            {
                await SendAsync(socket, target, StoredMessages.ToMessage(_rows[i], _device), buffer, token).ConfigureAwait(false);
            }

            if (count > 0)
            {
                cursor.Acknowledge(_rows[^1].Seq); // a live cursor stores nothing: this only keeps the next session from resending
                continue;
            }

            var wait = nextBeacon - Time.GetElapsedTime(_started);
            try
            {
                await cursor.WaitAsync(token).WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Time, token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // time for a beacon
            }
        }
    }

    // Live, not a backlog: what was stored while the link was down (or before the first session) is not sent now.
    private void SkipBacklog(OutboxCursor cursor)
    {
        long skipped = 0;
        int count;
        while ((count = cursor.TryRead(_rows, 10_000)) > 0)
        {
            skipped += count;
            cursor.Acknowledge(_rows[^1].Seq);
        }

        if (skipped > 0 && !_firstSession)
        {
            Interlocked.Add(ref _skipped, skipped);
            LogSkipped(_logger, Name, skipped, Skipped);
        }

        _firstSession = false;
    }

    private async Task SendAsync(Socket socket, IPEndPoint target, Message message, ArrayBufferWriter<byte> buffer, CancellationToken token)
    {
        buffer.ResetWrittenCount();
        MessageWriter.Write(message, buffer);
        if (buffer.WrittenCount > ProtocolInfo.MaxDatagram)
        {
            var n = Interlocked.Increment(ref _oversized);
            LogOversized(_logger, message.Type, buffer.WrittenCount, ProtocolInfo.MaxDatagram, n);
            return;
        }

        try
        {
            await socket.SendToAsync(buffer.WrittenMemory, SocketFlags.None, target, token).ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
        }
        catch (SocketException ex)
        {
            // Best effort: an unreachable network now is not a reason to stop; the next datagram tries again.
            LogSendFailed(_logger, Target, ex.SocketErrorCode);
        }
    }

    private async Task<IPEndPoint> ResolveAsync(CancellationToken token)
    {
        if (IPAddress.TryParse(_link.Endpoint.Host, out var ip))
        {
            return new IPEndPoint(ip, _link.Endpoint.Port);
        }

        var addresses = await Dns.GetHostAddressesAsync(_link.Endpoint.Host, AddressFamily.InterNetwork, token).ConfigureAwait(false);
        return addresses.Length > 0
            ? new IPEndPoint(addresses[0], _link.Endpoint.Port)
            : throw new SocketException((int)SocketError.HostNotFound, $"{_link.Endpoint.Host} has no IPv4 address");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Link {Link}: back, going on live; {Count} readings and events stored while it was down were not sent (best effort; the durable links have them; {Total} so far)")]
    private static partial void LogSkipped(ILogger logger, string link, long count, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "UDP link: a {Type} message is {Bytes} bytes, more than the {Limit}-byte datagram limit; not sent ({Count} so far)")]
    private static partial void LogOversized(ILogger logger, string type, int bytes, int limit, long count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "UDP link: sending to {Endpoint} failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string endpoint, SocketError error);
}
