using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.IntegrationTests.Infrastructure;

namespace Gateway.IntegrationTests.Hardware;

/// <summary>The gateway against a separately started firmware-sim process, compared with the in-process simulator.</summary>
public sealed partial class RemoteSimulatorTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Socket => _dir.File("sim.sock");

    private GatewayProcess StartSimulator()
        => GatewayProcess.StartCommand("dotnet", [RepositoryPaths.FirmwareSimDll, "serve", "--socket", Socket], _dir.Path);

    private GatewayProcess StartGateway(string backend, string name)
    {
        var work = _dir.File(name);
        Directory.CreateDirectory(work);
        return GatewayProcess.Start(work,
        [
            $"--Gateway:DeviceId={name}",
            $"--Gateway:Hardware:Backend={backend}",
            $"--Gateway:Hardware:SimulatorSocket={Socket}",
            "--Gateway:Sampling:Interval=1s",
            "--Gateway:Logging:LogLevel:Gateway.Sampling.LatestReadings=Debug",
        ]);
    }

    private static async Task<GatewayProcess.ExitResult> Cli(string dir, params string[] args)
    {
        using var cli = GatewayProcess.StartCommand("dotnet", [RepositoryPaths.FirmwareSimDll, .. args], dir);
        var code = await cli.WaitForExitAsync(Timeout);
        return new GatewayProcess.ExitResult(code, cli.Output);
    }

    // The latest value of a reading in a gateway's debug log, e.g. "Reading env temperature = 18.76 Cel".
    private static async Task<double> LatestValue(GatewayProcess gateway, string sensor, string quantity)
    {
        var line = await gateway.WaitForLineAsync($"Reading {sensor} {quantity} = ", Timeout);
        line = gateway.Stdout.Last(l => l.Contains($"Reading {sensor} {quantity} = ", StringComparison.Ordinal));
        return double.Parse(ValuePattern().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_gateway_on_a_separate_firmware_sim_reads_the_same_values_as_one_with_the_simulator_in_process()
    {
        using var sim = StartSimulator();
        await sim.WaitForLineAsync("listening on", Timeout);
        using var remote = StartGateway("RemoteSimulator", "remote");
        using var local = StartGateway("Simulated", "local");

        // Same scenario, same seed, same clock: the values agree within the sensors' noise (σ 0.05 °C, 1 mV).
        await remote.WaitForLineAsync("Reading water temperature", Timeout);
        await local.WaitForLineAsync("Reading water temperature", Timeout);
        Assert.InRange(await LatestValue(remote, "env", "temperature") - await LatestValue(local, "env", "temperature"), -0.35, 0.35);
        Assert.InRange(await LatestValue(remote, "env", "pressure") - await LatestValue(local, "env", "pressure"), -40, 40);
        Assert.InRange(await LatestValue(remote, "climate", "humidity") - await LatestValue(local, "climate", "humidity"), -3.5, 3.5);
        Assert.InRange(await LatestValue(remote, "analog", "battery") - await LatestValue(local, "analog", "battery"), -0.01, 0.01);
        Assert.InRange(await LatestValue(remote, "water", "temperature") - await LatestValue(local, "water", "temperature"), -0.4, 0.4);
        Assert.Contains(remote.Stdout, l => l.Contains("hardware backend RemoteSimulator (firmware-sim at", StringComparison.Ordinal));

        remote.Signal(Signals.SIGTERM);
        local.Signal(Signals.SIGTERM);
        Assert.Equal(0, await remote.WaitForExitAsync(Timeout));
        Assert.Equal(0, await local.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task A_fault_injected_with_the_firmware_sim_cli_shows_up_in_the_gateway_and_clears()
    {
        using var sim = StartSimulator();
        await sim.WaitForLineAsync("listening on", Timeout);
        using var gateway = StartGateway("RemoteSimulator", "faulty");
        await gateway.WaitForLineAsync("Reading env temperature", Timeout);

        var inject = await Cli(_dir.Path, "fault", "inject", "nack", "env", "--socket", Socket);
        Assert.True(inject.Code == 0, inject.Output);
        await gateway.WaitForLineAsync("Sensor env is Failing: no acknowledge from i2c-1@0x76", Timeout);

        var clear = await Cli(_dir.Path, "fault", "clear", "env", "--socket", Socket);
        Assert.True(clear.Code == 0, clear.Output);
        await gateway.WaitForLineAsync("Sensor env recovered", Timeout);

        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [Fact]
    public async Task The_firmware_sim_cli_refuses_a_bad_fault_and_explains_an_absent_simulator()
    {
        using var sim = StartSimulator();
        await sim.WaitForLineAsync("listening on", Timeout);

        var bad = await Cli(_dir.Path, "fault", "inject", "melt", "env", "--socket", Socket);
        Assert.Equal(2, bad.Code);
        Assert.Contains("unknown fault kind 'melt'", bad.Output, StringComparison.Ordinal);

        var absent = await Cli(_dir.Path, "hello", "--socket", _dir.File("nobody.sock"));
        Assert.Equal(1, absent.Code);
        Assert.Contains("is it running?", absent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_running_simulator_the_gateway_stays_up_and_reports_its_sensors_failing()
    {
        using var gateway = StartGateway("RemoteSimulator", "lonely");

        await gateway.WaitForLineAsync("Sensor env is Failing: cannot reach firmware-sim", Timeout);
        gateway.Signal(Signals.SIGTERM);
        Assert.Equal(0, await gateway.WaitForExitAsync(Timeout));
    }

    [GeneratedRegex(@" = (-?[0-9.E+-]+) ")]
    private static partial Regex ValuePattern();
}
