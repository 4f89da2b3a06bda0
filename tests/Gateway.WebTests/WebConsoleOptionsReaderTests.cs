using Gateway.Configuration;
using Gateway.Protocol.Transport;
using Microsoft.Extensions.Configuration;

namespace Gateway.WebTests;

/// <summary>Gateway:Listener:Http and the per-key access tokens, read and validated with the rest of the configuration.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WebConsoleOptionsReaderTests
{
    private const string Secret = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

    private static GatewayOptionsReader.Result Read(params (string Key, string Value)[] values) => GatewayOptionsReader.Read(
        new ConfigurationBuilder().AddInMemoryCollection([new("Gateway:DeviceId", "web-01"), .. values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))]).Build(),
        Path.GetTempPath());

    [Fact]
    public void The_console_address_session_settings_and_tokens_are_read()
    {
        var result = Read(
            ("Gateway:Listener:Http", "127.0.0.1:8080"),
            ("Gateway:Listener:HttpSessionIdle", "10m"),
            ("Gateway:Commands:Keys:operator:Secret", Secret),
            ("Gateway:Commands:Keys:operator:Allow", "status,output.set"),
            ("Gateway:Commands:Keys:operator:Token", "operator-token-0123456789"));
        Assert.Empty(result.Problems);
        Assert.Empty(result.UnknownKeys);
        Assert.Equal(new HostEndpoint("127.0.0.1", 8080), result.Options.Listener.Http);
        Assert.Equal(TimeSpan.FromMinutes(10), result.Options.Web.SessionIdle);
        Assert.Equal("operator-token-0123456789", result.Options.Web.Tokens["operator"]);
    }

    [Fact]
    public void A_short_token_is_a_problem_that_does_not_show_the_token()
    {
        var result = Read(
            ("Gateway:Commands:Keys:operator:Secret", Secret),
            ("Gateway:Commands:Keys:operator:Allow", "status"),
            ("Gateway:Commands:Keys:operator:Token", "short-secret"));
        var problem = Assert.Single(result.Problems);
        Assert.Equal("Gateway:Commands:Keys:operator:Token", problem.Key);
        Assert.DoesNotContain("short-secret", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_file_readable_only_by_its_owner_gives_the_token_and_the_session_lifetime_is_read()
    {
        var file = TokenFile("  operator-token-from-a-file-0123\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var result = Read(
            ("Gateway:Listener:HttpSessionMax", "2h"),
            ("Gateway:Commands:Keys:operator:Secret", Secret),
            ("Gateway:Commands:Keys:operator:Allow", "status"),
            ("Gateway:Commands:Keys:operator:TokenFile", file));
        Assert.Empty(result.Problems);
        Assert.Empty(result.UnknownKeys);
        Assert.Equal("operator-token-from-a-file-0123", result.Options.Web.Tokens["operator"]);
        Assert.Equal(TimeSpan.FromHours(2), result.Options.Web.SessionMax);
        Assert.Equal(TimeSpan.FromHours(12), Read().Options.Web.SessionMax); // the default
    }

    [Fact]
    public void A_token_file_others_can_read_is_a_problem_that_names_the_chmod_and_never_shows_the_token()
    {
        var file = TokenFile("operator-token-from-a-file-0123", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var result = Read(
            ("Gateway:Commands:Keys:operator:Secret", Secret),
            ("Gateway:Commands:Keys:operator:Allow", "status"),
            ("Gateway:Commands:Keys:operator:TokenFile", file));
        var problem = Assert.Single(result.Problems);
        Assert.Equal("Gateway:Commands:Keys:operator:TokenFile", problem.Key);
        Assert.Contains($"chmod 600 {file}", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("operator-token-from-a-file", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short-one")]
    [InlineData("")]
    public void A_short_or_empty_token_file_is_a_problem_that_shows_the_path_not_the_token(string content)
    {
        var file = TokenFile(content, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var result = Read(
            ("Gateway:Commands:Keys:operator:Secret", Secret),
            ("Gateway:Commands:Keys:operator:Allow", "status"),
            ("Gateway:Commands:Keys:operator:TokenFile", file));
        var problem = Assert.Single(result.Problems);
        Assert.Equal("Gateway:Commands:Keys:operator:TokenFile", problem.Key);
        Assert.Contains(file, problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("short-one", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_both_inline_and_from_a_file_is_a_problem()
    {
        var result = Read(
            ("Gateway:Commands:Keys:operator:Secret", Secret),
            ("Gateway:Commands:Keys:operator:Allow", "status"),
            ("Gateway:Commands:Keys:operator:Token", "operator-token-0123456789"),
            ("Gateway:Commands:Keys:operator:TokenFile", TokenFile("operator-token-from-a-file-0123", UnixFileMode.UserRead)));
        Assert.Contains(result.Problems, p => p.Key == "Gateway:Commands:Keys:operator:TokenFile" && p.ToString().Contains("not both", StringComparison.Ordinal));
        Assert.False(result.Options.Web.Tokens.ContainsKey("operator"));
    }

    private static string TokenFile(string content, UnixFileMode mode)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("gw-token-").FullName, "console.token");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void Two_keys_cannot_share_a_token()
    {
        var result = Read(
            ("Gateway:Commands:Keys:a:Secret", Secret),
            ("Gateway:Commands:Keys:a:Allow", "status"),
            ("Gateway:Commands:Keys:a:Token", "the-same-token-0123456789"),
            ("Gateway:Commands:Keys:b:Secret", Secret),
            ("Gateway:Commands:Keys:b:Allow", "status"),
            ("Gateway:Commands:Keys:b:Token", "the-same-token-0123456789"));
        Assert.Contains(result.Problems, p => p.Key == "Gateway:Commands:Keys:b:Token");
    }

    [Fact]
    public void A_console_beyond_loopback_without_command_keys_is_refused()
    {
        var result = Read(("Gateway:Listener:Http", "0.0.0.0:8080"));
        Assert.Contains(result.Problems, p => p.Key == "Gateway:Listener:Http");
    }

    [Fact]
    public void The_console_limits_and_extra_host_names_are_read_with_safe_defaults()
    {
        var defaults = Read().Options.Web;
        Assert.Equal(128, defaults.MaxConnections);
        Assert.Equal(16, defaults.MaxConnectionsPerAddress);
        Assert.Equal(TimeSpan.FromSeconds(15), defaults.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.RequestHeadersTimeout);
        Assert.Empty(defaults.Hosts);

        var result = Read(
            ("Gateway:Listener:HttpMaxConnections", "40"),
            ("Gateway:Listener:HttpMaxConnectionsPerAddress", "4"),
            ("Gateway:Listener:HttpKeepAliveTimeout", "5s"),
            ("Gateway:Listener:HttpRequestHeadersTimeout", "3s"),
            ("Gateway:Listener:HttpHosts", "gateway.local, pi-01.lan"));
        Assert.Empty(result.Problems);
        Assert.Empty(result.UnknownKeys);
        Assert.Equal(40, result.Options.Web.MaxConnections);
        Assert.Equal(4, result.Options.Web.MaxConnectionsPerAddress);
        Assert.Equal(TimeSpan.FromSeconds(5), result.Options.Web.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), result.Options.Web.RequestHeadersTimeout);
        Assert.Equal(["gateway.local", "pi-01.lan"], result.Options.Web.Hosts);
    }

    [Theory]
    [InlineData("Gateway:Listener:HttpMaxConnections", "3")]
    [InlineData("Gateway:Listener:HttpMaxConnectionsPerAddress", "0")]
    [InlineData("Gateway:Listener:HttpMaxConnectionsPerAddress", "129")]
    [InlineData("Gateway:Listener:HttpKeepAliveTimeout", "0s")]
    [InlineData("Gateway:Listener:HttpRequestHeadersTimeout", "1h")]
    [InlineData("Gateway:Listener:HttpHosts", "gateway.local,evil/name")]
    [InlineData("Gateway:Listener:HttpHosts", "*.example")]
    public void A_console_limit_out_of_range_or_a_bad_host_name_is_a_problem(string key, string value)
    {
        var result = Read((key, value));
        Assert.Contains(result.Problems, p => p.Key == key);
    }
}
