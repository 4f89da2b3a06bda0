using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Systemd;

/// <summary>The service manager's end of sd_notify for unit tests: a bound AF_UNIX datagram socket, one message per receive.</summary>
internal sealed class NotifySocketReceiver : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    /// <summary>Binds <paramref name="address"/> (a path, or an abstract name starting with NUL); receives wait at most 5 s.</summary>
    public NotifySocketReceiver(string address)
    {
        _socket.Bind(new UnixDomainSocketEndPoint(address));
        _socket.ReceiveTimeout = 5000;
    }

    /// <summary>The next datagram as text; throws <see cref="SocketException"/> when none arrives within 5 s.</summary>
    public string Receive()
    {
        var buffer = new byte[4096];
        var n = _socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public void Dispose() => _socket.Dispose();
}
