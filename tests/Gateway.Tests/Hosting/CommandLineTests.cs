using Gateway.Hosting;

namespace Gateway.Tests.Hosting;

public class CommandLineTests
{
    [Fact]
    public void Settings_in_both_forms_are_passed_to_configuration_as_key_equals_value()
    {
        var cl = CommandLine.Parse(["--Gateway:DeviceId=pi-01", "--Gateway:Hardware:Backend", "Linux"]);

        Assert.Null(cl.Error);
        Assert.Equal(["--Gateway:DeviceId=pi-01", "--Gateway:Hardware:Backend=Linux"], cl.Overrides);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_is_recognised(string arg) => Assert.True(CommandLine.Parse([arg]).ShowHelp);

    [Fact]
    public void Version_is_recognised() => Assert.True(CommandLine.Parse(["--version"]).ShowVersion);

    [Theory]
    [InlineData(new[] { "--config", "/etc/x.json" }, "/etc/x.json")]
    [InlineData(new[] { "--config=/etc/y.json" }, "/etc/y.json")]
    public void The_system_file_path_can_be_overridden(string[] args, string expected)
        => Assert.Equal(expected, CommandLine.Parse(args).ConfigFile);

    [Theory]
    [InlineData(new[] { "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "stray" }, "unexpected argument 'stray'")]
    [InlineData(new[] { "--config" }, "--config needs a file path")]
    [InlineData(new[] { "--config=" }, "--config= needs a file path")]
    [InlineData(new[] { "--Gateway:DeviceId" }, "unknown option '--Gateway:DeviceId'")]
    [InlineData(new[] { "--" }, "unexpected argument '--'")]
    public void A_bad_command_line_is_an_error_saying_what_was_wrong(string[] args, string expected)
    {
        var error = CommandLine.Parse(args).Error;
        Assert.NotNull(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
