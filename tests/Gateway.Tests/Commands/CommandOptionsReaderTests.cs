using Gateway.Commands.BuiltIn;
using Gateway.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Commands;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CommandOptionsReaderTests : IDisposable
{
    private const string Secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static GatewayOptionsReader.Result Read(params (string Key, string Value)[] settings) =>
        GatewayOptionsReader.Read(new ConfigurationBuilder()
            .AddInMemoryCollection([new("Gateway:DeviceId", "gw-01"), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))])
            .Build(), "/work/dir");

    private string KeyFile(string key, UnixFileMode mode)
    {
        var path = Path.Combine(_dir, key + ".key");
        File.WriteAllText(path, Gateway.Protocol.Commands.CommandKeyFile.Format(key, Convert.FromBase64String(Secret)));
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void An_inline_secret_and_an_allow_list_make_a_key()
    {
        var result = Read(("Gateway:Commands:Keys:operator:Secret", Secret), ("Gateway:Commands:Keys:operator:Allow", "ping, status,output.set"));

        Assert.Empty(result.Problems);
        Assert.Equal(["output.set", "ping", "status"], result.Options.Commands.Keys["operator"].Allow.Order());
    }

    [Fact]
    public void A_key_file_only_its_owner_can_read_is_accepted()
    {
        var result = Read(("Gateway:Commands:Keys:operator:SecretFile", KeyFile("operator", UnixFileMode.UserRead | UnixFileMode.UserWrite)), ("Gateway:Commands:Keys:operator:Allow:0", "ping"));

        Assert.Empty(result.Problems);
        Assert.Equal(32, result.Options.Commands.Keys["operator"].Secret.Length);
    }

    [Fact]
    public void A_key_file_readable_by_group_or_others_is_refused_naming_the_mode()
    {
        var path = KeyFile("operator", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var result = Read(("Gateway:Commands:Keys:operator:SecretFile", path), ("Gateway:Commands:Keys:operator:Allow", "ping"));

        var problem = Assert.Single(result.Problems);
        Assert.Contains("Gateway:Commands:Keys:operator:SecretFile", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains("mode 0644", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Secret", "c2hvcnQ=", "at least 16")]
    [InlineData("Allow", "ping,reboot", "not: reboot")]
    [InlineData("Allow", "", "the commands this key may run")]
    public void A_bad_key_setting_is_a_problem_that_never_shows_the_secret(string setting, string value, string expected)
    {
        var settings = new Dictionary<string, string> { ["Secret"] = Secret, ["Allow"] = "ping", [setting] = value };
        var result = Read([.. settings.Select(s => ($"Gateway:Commands:Keys:k1:{s.Key}", s.Value))]);

        var problem = Assert.Single(result.Problems).ToString();
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ=", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway:Listener:Tcp")]
    [InlineData("Gateway:Listener:Metrics")]
    public void A_listener_beyond_loopback_is_allowed_once_keys_exist_and_refused_without(string key)
    {
        var problem = Assert.Single(Read((key, "0.0.0.0:7000")).Problems).ToString();
        Assert.Contains(key, problem, StringComparison.Ordinal);
        Assert.Empty(Read((key, "0.0.0.0:7000"), ("Gateway:Commands:Keys:k:Secret", Secret), ("Gateway:Commands:Keys:k:Allow", "ping")).Problems);
    }

    [Theory]
    [InlineData("Gateway:Commands:Keys:operator:Secret", true)]
    [InlineData("Gateway:Upstream:Mqtt:Password", true)]
    [InlineData("Gateway:Web:Keys:viewer:Token", true)]
    [InlineData("Gateway:Upstream:Tcp:Pin", false)]
    [InlineData("Gateway:Commands:Keys:operator:Allow", false)]
    public void Config_get_redacts_secret_keys_by_name(string key, bool secret) =>
        Assert.Equal(secret, ConfigGetCommand.IsSecret(key));
}
