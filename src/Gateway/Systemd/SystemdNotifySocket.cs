using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Gateway.Systemd;

/// <summary>
/// Writes sd_notify datagrams to <c>NOTIFY_SOCKET</c> (an AF_UNIX datagram socket; a path or an abstract name), as the
/// <see cref="ISystemdNotifier"/> that the package's <see cref="SystemdLifetime"/> (READY=1, STOPPING=1), the status
/// lines and the watchdog all send through. A failed send is logged once and the gateway carries on: the service
/// manager is the one to act on silence.
/// </summary>
/// <remarks>
/// Used instead of the package's own <see cref="Microsoft.Extensions.Hosting.Systemd.SystemdNotifier"/>, which opens, connects
/// and closes a socket for every message and throws when the send fails (10.0.14): a throwing watchdog ping would stop
/// the gateway, and a READY=1 that throws inside <c>ApplicationStarted</c> is logged as a start-up error. This one keeps
/// one socket for the process's life and never throws.
/// </remarks>
internal sealed partial class SystemdNotifySocket : ISystemdNotifier, IDisposable
{
    private readonly string? _address;
    private readonly string _printableAddress;
    private readonly ILogger<SystemdNotifySocket> _logger;
    private readonly Lock _lock = new();
    private Socket? _socket;
    private UnixDomainSocketEndPoint? _endPoint;
    private bool _failureLogged;

    /// <summary>Creates a notifier for the address systemd gave; null disables it.</summary>
    public SystemdNotifySocket(SystemdEnvironment environment, ILogger<SystemdNotifySocket> logger)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _address = environment.NotifySocketAddress;
        _printableAddress = _address is ['\0', .. var name] ? "@" + name : _address ?? string.Empty;
        _logger = logger;
    }

    /// <inheritdoc/>
    public bool IsEnabled => _address is not null;

    /// <inheritdoc/>
    public void Notify(ServiceState state)
    {
        if (_address is null)
        {
            return;
        }

        lock (_lock)
        {
            try
            {
                _endPoint ??= new UnixDomainSocketEndPoint(_address);
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                _socket.SendTo(Encoding.UTF8.GetBytes(state.ToString()), SocketFlags.None, _endPoint);
                if (_failureLogged)
                {
                    _failureLogged = false;
                    LogRecovered(_logger, _printableAddress);
                }
            }
            catch (SocketException ex)
            {
                if (!_failureLogged)
                {
                    _failureLogged = true;
                    LogSendFailed(_logger, _printableAddress, ex.SocketErrorCode, ex.Message);
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot notify systemd at {Socket}: {Error} ({Message}); further failures are not logged until a send succeeds")]
    private static partial void LogSendFailed(ILogger logger, string socket, SocketError error, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notifying systemd at {Socket} works again")]
    private static partial void LogRecovered(ILogger logger, string socket);
}
