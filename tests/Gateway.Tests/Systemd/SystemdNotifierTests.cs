using System.Net.Sockets;
using System.Text;
using Gateway.Systemd;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Systemd;

public sealed class SystemdNotifierTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Sends_one_datagram_per_state_to_a_path_socket()
    {
        var path = Path.Combine(_dir, "notify");
        using var receiver = Bind(path);
        using var notifier = new SystemdNotifier(new SystemdEnvironment { NotifySocketAddress = path }, NullLogger<SystemdNotifier>.Instance);

        notifier.Notify(ServiceState.Ready);
        notifier.Notify(ServiceState.Status("Running"));

        Assert.True(notifier.IsEnabled);
        Assert.Equal("READY=1", Receive(receiver));
        Assert.Equal("STATUS=Running", Receive(receiver));
    }

    [Fact]
    public void Sends_to_an_abstract_socket_name()
    {
        var name = "\0gw-test-" + Guid.NewGuid().ToString("N");
        using var receiver = Bind(name);
        using var notifier = new SystemdNotifier(new SystemdEnvironment { NotifySocketAddress = name }, NullLogger<SystemdNotifier>.Instance);

        notifier.Notify(ServiceState.Watchdog);

        Assert.Equal("WATCHDOG=1", Receive(receiver));
    }

    [Fact]
    public void Without_a_socket_it_is_a_no_op()
    {
        using var notifier = new SystemdNotifier(SystemdEnvironment.None, NullLogger<SystemdNotifier>.Instance);
        Assert.False(notifier.IsEnabled);
        notifier.Notify(ServiceState.Ready);
    }

    [Fact]
    public void A_socket_nobody_listens_on_does_not_throw()
    {
        using var notifier = new SystemdNotifier(
            new SystemdEnvironment { NotifySocketAddress = Path.Combine(_dir, "absent") }, NullLogger<SystemdNotifier>.Instance);
        notifier.Notify(ServiceState.Ready);
        notifier.Notify(ServiceState.Ready);
    }

    private static Socket Bind(string address)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(address));
        socket.ReceiveTimeout = 5000;
        return socket;
    }

    private static string Receive(Socket socket)
    {
        var buffer = new byte[4096];
        var n = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
