using Gateway.Console.Addressing;
using Gateway.Console.Cli;
using Gateway.Console.Keys;
using Gateway.Console.Tests.Infrastructure;

namespace Gateway.Console.Tests.Unit;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BrokerLoginTests : IDisposable
{
    private static readonly GatewayAddress Mqtt = GatewayAddress.Parse("mqtt://127.0.0.1:1883/gateway/pi-01");
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Without_a_user_the_broker_is_asked_anonymously_whatever_the_environment_holds()
    {
        Assert.Null(BrokerLogin.From(Mqtt, null, null, "from-the-environment"));
    }

    [Fact]
    public void The_password_comes_from_the_file_without_its_line_break_before_the_environment()
    {
        var file = Private("password", "s3cret\n");

        var login = BrokerLogin.From(Mqtt, "gw", file, "from-the-environment");

        Assert.NotNull(login);
        Assert.Equal("gw", login.User);
        Assert.Equal("s3cret", login.Password);
        Assert.DoesNotContain("s3cret", login.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_file_the_password_comes_from_the_environment_or_there_is_none()
    {
        Assert.Equal("from-the-environment", BrokerLogin.From(Mqtt, "gw", null, "from-the-environment")!.Password);
        Assert.Null(BrokerLogin.From(Mqtt, "gw", null, null)!.Password);
    }

    [Fact]
    public void A_password_file_others_may_read_is_refused_as_a_key_file_is()
    {
        var file = Private("password", "s3cret");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var ex = Assert.Throws<GwctlException>(() => BrokerLogin.From(Mqtt, "gw", file, null));

        Assert.Equal(ExitCodes.Config, ex.ExitCode);
        Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", "not found")]
    [InlineData("empty", "is empty")]
    public void A_password_file_that_cannot_give_a_password_is_a_configuration_error(string which, string expected)
    {
        var file = which == "empty" ? Private("empty", "\n") : _dir.File("missing");

        var ex = Assert.Throws<GwctlException>(() => BrokerLogin.From(Mqtt, "gw", file, null));

        Assert.Equal(ExitCodes.Config, ex.ExitCode);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Login_options_that_do_not_fit_are_a_usage_error()
    {
        var file = Private("password", "s3cret");

        var notMqtt = Assert.Throws<GwctlException>(() => BrokerLogin.From(GatewayAddress.Parse("tcp://127.0.0.1:7010"), "gw", null, null));
        var noUser = Assert.Throws<GwctlException>(() => BrokerLogin.From(Mqtt, null, file, null));

        Assert.Equal(ExitCodes.Usage, notMqtt.ExitCode);
        Assert.Contains("for mqtt:// addresses", notMqtt.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, noUser.ExitCode);
        Assert.Contains("needs --mqtt-user", noUser.Message, StringComparison.Ordinal);
    }

    private string Private(string name, string text)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }
}
