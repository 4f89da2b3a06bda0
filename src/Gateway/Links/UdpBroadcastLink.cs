using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Outbox;
using Gateway.Protocol;
using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Links;

/// <summary>
/// The UDP broadcast link: best effort, live. It follows the outbox's commits from the moment it starts (no durable
/// cursor, so it never holds readings back from clean-up), sends each reading or event as one datagram of at most
/// <see cref="ProtocolInfo.MaxDatagram"/> bytes (SO_BROADCAST), and a <c>beacon</c> every
/// <see cref="UdpLinkOptions.BeaconInterval"/> for discovery. A message that would not fit is counted and logged, never
/// fragmented.
/// </summary>
internal sealed partial class UdpBroadcastLink : BackgroundService
{
    private readonly UdpLinkOptions _link;
    private readonly GatewayOptions _options;
    private readonly Outbox.Outbox _outbox;
    private readonly StatusBoard _status;
    private readonly ListenerDirectory _listeners;
    private readonly ILogger<UdpBroadcastLink> _logger;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _sent;
    private long _oversized;
    private string _targetText = string.Empty;

    /// <summary>Creates the link.</summary>
    public UdpBroadcastLink(UdpLinkOptions link, GatewayOptions options, Outbox.Outbox outbox, StatusBoard status, ListenerDirectory listeners, ILogger<UdpBroadcastLink> logger)
    {
        _listeners = listeners;
        _link = link;
        _options = options;
        _outbox = outbox;
        _status = status;
        _logger = logger;
    }

    /// <summary>Datagrams sent.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { EnableBroadcast = true };
        var target = await Resolve(stoppingToken).ConfigureAwait(false);
        _targetText = target.ToString();
        _status.SetFact($"link {_link.Name}", $"{_link.Name} to {_link.Endpoint}");
        LogStarted(_logger, _link.Name, _link.BeaconInterval.TotalSeconds, _targetText);
        var buffer = new ArrayBufferWriter<byte>(ProtocolInfo.MaxDatagram * 2);
        var nextBeacon = TimeSpan.Zero;
        using var cursor = _outbox.OpenLiveCursor();
        var rows = new List<StoredRecord>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = Stopwatch.GetElapsedTime(_started);
            if (now >= nextBeacon)
            {
                await Send(socket, target, new BeaconMessage(_options.DeviceId, GatewayHost.Version, (long)now.TotalSeconds, _listeners.Urls), buffer, stoppingToken).ConfigureAwait(false);
                nextBeacon = now + _link.BeaconInterval;
            }

            var count = cursor.TryRead(rows, 500);
            for (var i = 0; i < count; i++)
            {
                await Send(socket, target, StoredMessages.ToMessage(rows[i], _options.DeviceId), buffer, stoppingToken).ConfigureAwait(false);
            }

            if (count == 0)
            {
                var wait = nextBeacon - Stopwatch.GetElapsedTime(_started);
                try
                {
                    await cursor.WaitAsync(stoppingToken).WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // time for a beacon
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task Send(Socket socket, IPEndPoint target, Message message, ArrayBufferWriter<byte> buffer, CancellationToken token)
    {
        buffer.Clear();
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
            LogSendFailed(_logger, _targetText, ex.SocketErrorCode);
        }
    }

    private async Task<IPEndPoint> Resolve(CancellationToken token)
    {
        if (IPAddress.TryParse(_link.Endpoint.Host, out var ip))
        {
            return new IPEndPoint(ip, _link.Endpoint.Port);
        }

        var addresses = await Dns.GetHostAddressesAsync(_link.Endpoint.Host, AddressFamily.InterNetwork, token).ConfigureAwait(false);
        return new IPEndPoint(addresses[0], _link.Endpoint.Port);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {Link}: sending readings and events live (best effort, no acks) and a beacon every {BeaconSeconds}s to {Endpoint}")]
    private static partial void LogStarted(ILogger logger, string link, double beaconSeconds, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "UDP link: a {Type} message is {Bytes} bytes, more than the {Limit}-byte datagram limit; not sent ({Count} so far)")]
    private static partial void LogOversized(ILogger logger, string type, int bytes, int limit, long count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "UDP link: sending to {Endpoint} failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string endpoint, SocketError error);
}
