using Gateway.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Gateway.Tests.Systemd;

public sealed class SystemdRegistrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Under_a_notify_socket_SystemdLifetime_reports_ready_and_stopping_where_the_packages_own_detection_would_not()
    {
        // The package's AddSystemd/UseSystemd register nothing here: this process is not PID 1 and its parent is not
        // named systemd. That is the case AddSystemdNotify exists for.
        Assert.SkipWhen(SystemdHelpers.IsSystemdService(), "the test process runs as a systemd service, so the package would activate by itself");
        var path = Path.Combine(_dir, "notify");
        using var receiver = new NotifySocketReceiver(path);
        using var host = Build(new SystemdEnvironment { NotifySocketAddress = path });

        Assert.IsType<SystemdLifetime>(host.Services.GetRequiredService<IHostLifetime>());
        Assert.IsType<SystemdNotifySocket>(host.Services.GetRequiredService<ISystemdNotifier>());

        await host.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal("READY=1", receiver.Receive());
        await host.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal("STOPPING=1", receiver.Receive());
    }

    [Fact]
    public void Without_a_notify_socket_the_console_lifetime_stays_and_the_notifier_is_off()
    {
        using var host = Build(SystemdEnvironment.None);

        Assert.IsNotType<SystemdLifetime>(host.Services.GetRequiredService<IHostLifetime>());
        Assert.False(host.Services.GetRequiredService<ISystemdNotifier>().IsEnabled);
    }

    private static IHost Build(SystemdEnvironment systemd)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSystemdNotify(systemd);
        return builder.Build();
    }
}
