using Gateway.Systemd;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Systemd;

public sealed class SystemdNotifySocketTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Sends_one_datagram_per_state_to_a_path_socket()
    {
        var path = Path.Combine(_dir, "notify");
        using var receiver = new NotifySocketReceiver(path);
        using var notifier = new SystemdNotifySocket(new SystemdEnvironment { NotifySocketAddress = path }, NullLogger<SystemdNotifySocket>.Instance);

        notifier.Notify(ServiceState.Ready);
        notifier.Notify(ServiceStates.Status("Running"));

        Assert.True(notifier.IsEnabled);
        Assert.Equal("READY=1", receiver.Receive());
        Assert.Equal("STATUS=Running", receiver.Receive());
    }

    [Fact]
    public void Sends_to_an_abstract_socket_name()
    {
        var name = "\0gw-test-" + Guid.NewGuid().ToString("N");
        using var receiver = new NotifySocketReceiver(name);
        using var notifier = new SystemdNotifySocket(new SystemdEnvironment { NotifySocketAddress = name }, NullLogger<SystemdNotifySocket>.Instance);

        notifier.Notify(ServiceStates.Watchdog);

        Assert.Equal("WATCHDOG=1", receiver.Receive());
    }

    [Fact]
    public void Without_a_socket_it_is_a_no_op()
    {
        using var notifier = new SystemdNotifySocket(SystemdEnvironment.None, NullLogger<SystemdNotifySocket>.Instance);
        Assert.False(notifier.IsEnabled);
        notifier.Notify(ServiceState.Ready);
    }

    [Fact]
    public void A_socket_nobody_listens_on_does_not_throw()
    {
        using var notifier = new SystemdNotifySocket(
            new SystemdEnvironment { NotifySocketAddress = Path.Combine(_dir, "absent") }, NullLogger<SystemdNotifySocket>.Instance);
        notifier.Notify(ServiceState.Ready);
        notifier.Notify(ServiceState.Ready);
    }
}
