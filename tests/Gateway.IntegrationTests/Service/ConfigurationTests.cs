using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Service;

/// <summary>Configuration as the operator meets it: sources, precedence, and invalid values refused at start.</summary>
public sealed class ConfigurationTests : IDisposable
{
    private const int ExConfig = 78;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("--Gateway:Hardware:Backend=Bogus", "Gateway:Hardware:Backend: 'Bogus' is not allowed; expected one of Simulated, Linux, RemoteSimulator")]
    [InlineData("--Gateway:Sampling:Interval=-5s", "Gateway:Sampling:Interval: '-5s' is not allowed; expected a duration")]
    [InlineData("--Gateway:Upstream:Tcp:Endpoint=localhost", "Gateway:Upstream:Tcp:Endpoint: 'localhost' is not allowed; expected host:port")]
    [InlineData("--Gateway:DeviceId=", "Gateway:DeviceId: missing; expected 1 to 64 characters")]
    [InlineData("--Gateway:Upstream:Mqtt:Window=65001", "Gateway:Upstream:Mqtt:Window: '65001' is not allowed")]
    public async Task An_invalid_value_exits_78_naming_the_key_the_value_and_what_is_allowed(string setting, string expected)
    {
        using var gateway = GatewayProcess.Start(_dir.Path, [setting]);

        Assert.Equal(ExConfig, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stderr, l => l.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_invalid_key_gets_its_own_line()
    {
        using var gateway = GatewayProcess.Start(_dir.Path,
            ["--Gateway:DeviceId=", "--Gateway:Hardware:Backend=Bogus", "--Gateway:Sampling:Interval=-5s", "--Gateway:Upstream:Tcp:Endpoint=nohost"]);

        Assert.Equal(ExConfig, await gateway.WaitForExitAsync(Timeout));
        var problems = gateway.Stderr.Where(l => l.StartsWith("gateway: invalid configuration: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, problems.Count);
        foreach (var key in new[] { "Gateway:DeviceId", "Gateway:Hardware:Backend", "Gateway:Sampling:Interval", "Gateway:Upstream:Tcp:Endpoint" })
        {
            Assert.Single(problems, l => l.Contains(key + ":", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(gateway.Stdout, l => l.Contains("starting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_values_from_environment_variables_are_refused_too()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, [], new Dictionary<string, string?> { ["GATEWAY_Gateway__Sampling__Interval"] = "soon" });

        Assert.Equal(ExConfig, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stderr, l => l.Contains("Gateway:Sampling:Interval: 'soon' is not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_configuration_file_that_is_not_json_exits_78_naming_the_file()
    {
        var file = _dir.File("broken.json");
        await File.WriteAllTextAsync(file, "{ \"Gateway\": { \"DeviceId\": ", TestContext.Current.CancellationToken);
        using var gateway = GatewayProcess.Start(_dir.Path, ["--config", file]);

        Assert.Equal(ExConfig, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stderr, l => l.Contains("broken.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_configuration_file_given_with_config_must_exist()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--config", _dir.File("absent.json")]);

        Assert.Equal(ExConfig, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stderr, l => l.Contains("absent.json' does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_state_directory_that_cannot_be_created_exits_78_naming_the_key()
    {
        var file = _dir.File("a-file");
        await File.WriteAllTextAsync(file, "not a folder", TestContext.Current.CancellationToken);
        using var gateway = GatewayProcess.Start(_dir.Path, [$"--Gateway:StateDirectory={file}/state"]);

        Assert.Equal(ExConfig, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stderr, l => l.Contains("Gateway:StateDirectory:", StringComparison.Ordinal) && l.Contains("cannot be created", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(4, "from-cmdline")]
    [InlineData(3, "from-env")]
    [InlineData(2, "from-system-file")]
    [InlineData(1, "from-workdir")]
    [InlineData(0, "dev-gateway")] // the appsettings.json next to the program
    public async Task Later_sources_override_earlier_ones(int layers, string expectedDeviceId)
    {
        var args = new List<string>();
        var env = new Dictionary<string, string?>();
        if (layers >= 1)
        {
            await File.WriteAllTextAsync(_dir.File("appsettings.json"), """{ "Gateway": { "DeviceId": "from-workdir" } }""", TestContext.Current.CancellationToken);
        }

        if (layers >= 2)
        {
            var system = _dir.File("system.json");
            await File.WriteAllTextAsync(system, """{ "Gateway": { "DeviceId": "from-system-file" } }""", TestContext.Current.CancellationToken);
            args.AddRange(["--config", system]);
        }

        if (layers >= 3)
        {
            env["GATEWAY_Gateway__DeviceId"] = "from-env";
        }

        if (layers >= 4)
        {
            args.Add("--Gateway:DeviceId=from-cmdline");
        }

        using var gateway = GatewayProcess.Start(_dir.Path, args, env);
        await gateway.WaitForLineAsync($"starting: device {expectedDeviceId},", Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task An_unknown_key_is_warned_about_but_does_not_stop_the_gateway()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--Gateway:Hardwre:Backend=Linux"]);

        await gateway.WaitForLineAsync("Unknown configuration key Gateway:Hardwre:Backend", Timeout);
        await gateway.WaitForLineAsync("Application started", Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task Help_prints_usage_and_exits_zero()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--help"]);

        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stdout, l => l.StartsWith("Usage: Gateway", StringComparison.Ordinal));
        Assert.Contains(gateway.Stdout, l => l.Contains("GATEWAY_Gateway__DeviceId", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Version_prints_the_version_and_exits_zero()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--version"]);

        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
        Assert.Matches(@"^gateway \d+\.\d+\.\d+", Assert.Single(gateway.Stdout));
    }

    [Fact]
    public async Task A_bad_command_line_exits_64_saying_what_was_wrong()
    {
        using var gateway = GatewayProcess.Start(_dir.Path, ["--verbose"]);

        Assert.Equal(64, await gateway.WaitForExitAsync(Timeout));
        Assert.Contains(gateway.Stderr, l => l.Contains("unknown option '--verbose'", StringComparison.Ordinal));
    }
}
