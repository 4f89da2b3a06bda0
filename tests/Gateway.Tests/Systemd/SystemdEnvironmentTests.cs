using Gateway.Systemd;

namespace Gateway.Tests.Systemd;

public class SystemdEnvironmentTests
{
    private static SystemdEnvironment Read(int pid = 42, params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return SystemdEnvironment.Read(name => map.GetValueOrDefault(name), pid);
    }

    [Fact]
    public void Outside_systemd_everything_is_off()
    {
        var env = Read();
        Assert.Null(env.NotifySocketAddress);
        Assert.Null(env.WatchdogInterval);
        Assert.Null(env.WatchdogIgnoredReason);
        Assert.False(env.UnderSystemd);
    }

    [Fact]
    public void A_path_socket_is_used_as_is() =>
        Assert.Equal("/run/systemd/notify", Read(42, ("NOTIFY_SOCKET", "/run/systemd/notify")).NotifySocketAddress);

    [Fact]
    public void An_at_sign_means_the_abstract_namespace_with_a_leading_nul() =>
        Assert.Equal("\0gw-test", Read(42, ("NOTIFY_SOCKET", "@gw-test")).NotifySocketAddress);

    [Fact]
    public void A_relative_socket_path_is_ignored() =>
        Assert.Null(Read(42, ("NOTIFY_SOCKET", "relative/sock")).NotifySocketAddress);

    [Fact]
    public void The_watchdog_interval_comes_from_WATCHDOG_USEC()
    {
        var env = Read(42, ("NOTIFY_SOCKET", "/s"), ("WATCHDOG_USEC", "2000000"));
        Assert.Equal(TimeSpan.FromSeconds(2), env.WatchdogInterval);
    }

    [Fact]
    public void The_watchdog_is_honoured_when_WATCHDOG_PID_is_this_process()
    {
        var env = Read(42, ("NOTIFY_SOCKET", "/s"), ("WATCHDOG_USEC", "30000000"), ("WATCHDOG_PID", "42"));
        Assert.Equal(TimeSpan.FromSeconds(30), env.WatchdogInterval);
    }

    [Fact]
    public void The_watchdog_meant_for_another_process_is_ignored_with_the_reason()
    {
        var env = Read(42, ("NOTIFY_SOCKET", "/s"), ("WATCHDOG_USEC", "30000000"), ("WATCHDOG_PID", "7"));
        Assert.Null(env.WatchdogInterval);
        Assert.Contains("WATCHDOG_PID=7 is not this process (42)", env.WatchdogIgnoredReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    public void A_nonsense_watchdog_interval_is_ignored_with_the_reason(string usec)
    {
        var env = Read(42, ("NOTIFY_SOCKET", "/s"), ("WATCHDOG_USEC", usec));
        Assert.Null(env.WatchdogInterval);
        Assert.Contains($"WATCHDOG_USEC='{usec}'", env.WatchdogIgnoredReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_watchdog_without_a_socket_is_ignored() =>
        Assert.Null(Read(42, ("WATCHDOG_USEC", "1000000")).WatchdogInterval);

    [Theory]
    [InlineData("JOURNAL_STREAM", "8:12345")]
    [InlineData("INVOCATION_ID", "0123456789abcdef")]
    public void The_journal_or_an_invocation_id_means_running_under_systemd(string name, string value) =>
        Assert.True(Read(42, (name, value)).UnderSystemd);
}
