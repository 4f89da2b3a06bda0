using Gateway.Console.Cli;
using Gateway.Console.Keys;
using Gateway.Console.Tests.Infrastructure;
using Gateway.Protocol.Commands;

namespace Gateway.Console.Tests.Unit;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Keygen_writes_a_key_file_only_its_owner_may_read_in_the_gateways_format()
    {
        var key = GeneratedKey.Write(_dir.File("operator.key"), "operator", ["ping", "status"], overwrite: false);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key.Path));
        var parsed = CommandKeyFile.Parse(File.ReadAllText(key.Path));
        Assert.Equal("operator", parsed.Key);
        Assert.Equal(GeneratedKey.SecretBytes, parsed.Secret.Length);
        Assert.Equal(
            [new("Gateway:Commands:Keys:operator:SecretFile", key.Path), new KeyValuePair<string, string>("Gateway:Commands:Keys:operator:Allow", "ping,status")],
            key.Configuration);
    }

    [Fact]
    public void Two_keys_never_share_a_secret()
    {
        var a = CommandKeyFile.Parse(File.ReadAllText(GeneratedKey.Write(_dir.File("a.key"), "a", ["ping"], false).Path));
        var b = CommandKeyFile.Parse(File.ReadAllText(GeneratedKey.Write(_dir.File("b.key"), "b", ["ping"], false).Path));

        Assert.NotEqual(a.Secret, b.Secret);
    }

    [Fact]
    public void An_existing_key_file_is_kept_unless_forced_and_a_forced_one_is_private_again()
    {
        var path = _dir.File("operator.key");
        File.WriteAllText(path, "precious");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100); // 0644

        var refused = Assert.Throws<GwctlException>(() => GeneratedKey.Write(path, "operator", ["ping"], overwrite: false));
        Assert.Equal(ExitCodes.IoError, refused.ExitCode);
        Assert.Equal("precious", File.ReadAllText(path));

        GeneratedKey.Write(path, "operator", ["ping"], overwrite: true);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData("operator", "ping,reboot", "no command 'reboot'")]
    [InlineData("bad key", "ping", "a key id is")]
    [InlineData("operator", " , ", "--allow is empty")]
    public void Keygen_refuses_what_the_gateway_would_refuse(string id, string allow, string expected)
    {
        var ex = Assert.Throws<GwctlException>(() => GeneratedKey.Validate(id, allow));

        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_others_may_read_is_refused_like_the_gateway_refuses_it()
    {
        var path = GeneratedKey.Write(_dir.File("k.key"), "k", ["ping"], false).Path;
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_000); // 0640

        var ex = Assert.Throws<GwctlException>(() => KeyFileReader.Load(path));

        Assert.Equal(ExitCodes.Config, ex.ExitCode);
        Assert.Contains("mode 0640", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {path}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_malformed_key_file_says_how_to_get_a_good_one()
    {
        var missing = Assert.Throws<GwctlException>(() => KeyFileReader.Load(_dir.File("nope.key")));
        Assert.Contains("gwctl keygen", missing.Message, StringComparison.Ordinal);

        var bad = _dir.File("bad.key");
        File.WriteAllText(bad, """{"key":"k","secret":"c2hvcnQ="}""");
        File.SetUnixFileMode(bad, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var malformed = Assert.Throws<GwctlException>(() => KeyFileReader.Load(bad));
        Assert.Equal(ExitCodes.Config, malformed.ExitCode);
        Assert.Contains("at least 16 are needed", malformed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2hvcnQ=", malformed.Message, StringComparison.Ordinal); // never the secret
    }

    [Fact]
    public void The_option_wins_over_the_environment_variable()
    {
        Assert.Equal("a.key", KeyFileReader.Resolve("a.key", "b.key"));
        Assert.Equal("b.key", KeyFileReader.Resolve(null, "b.key"));
        Assert.Null(KeyFileReader.Resolve(" ", null));
    }
}
