using System.Runtime.Versioning;
using System.Text.Json;
using Gateway.Console.Tests.Infrastructure;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>
/// gwctl as a real process over tls:// and wss:// to a real gateway with listener TLS and a private CA: watch, send and
/// status with --ca-file or --pin, and the refusals that say what was wrong.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ConsoleOverTlsTests(TlsGateway gw) : IClassFixture<TlsGateway>
{
    private string Tls => $"tls://127.0.0.1:{gw.TcpPort}";

    private string Wss => $"wss://localhost:{gw.WebSocketPort}/ws";

    [Fact]
    public async Task Watch_over_wss_with_the_private_ca_shows_live_readings()
    {
        var watch = await Gwctl.RunAsync(gw.Dir, "watch", Wss, "--ca-file", gw.CaFile, "--count", "2", "--json");

        Assert.True(watch.ExitCode == 0, watch.ToString());
        Assert.Equal(2, watch.Stdout.Count);
        Assert.All(watch.Stdout, line =>
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Equal(TlsGateway.Device, doc.RootElement.GetProperty("device").GetString());
        });
        Assert.Contains($"watching {TlsGateway.Device}", watch.Err, StringComparison.Ordinal);
        Assert.Contains(Wss, watch.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_over_tls_with_the_private_ca_gets_the_result_of_a_signed_command()
    {
        var result = await Gwctl.RunAsync(gw.Dir, "send", Tls, "ping", "--ca-file", gw.CaFile, "--key-file", gw.OperatorKey);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"pong\": true", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_over_wss_and_watch_over_tls_accept_the_right_pin_without_a_ca_file()
    {
        var colons = string.Join(':', gw.Pin.Chunk(2).Select(c => new string(c))).ToLowerInvariant(); // as openssl prints it

        var status = await Gwctl.RunAsync(gw.Dir, "status", Wss, "--pin", colons, "--key-file", gw.OperatorKey, "--json");
        var watch = await Gwctl.RunAsync(gw.Dir, "watch", Tls, "--pin", gw.Pin, "--count", "1");

        Assert.True(status.ExitCode == 0, status.ToString());
        using (var doc = JsonDocument.Parse(status.Stdout.Single()))
        {
            Assert.Equal(TlsGateway.Device, doc.RootElement.GetProperty("data").GetProperty("device").GetString());
        }

        Assert.True(watch.ExitCode == 0, watch.ToString());
        Assert.Single(watch.Stdout);
    }

    [Theory]
    [InlineData("tls")]
    [InlineData("wss")]
    public async Task Without_ca_file_the_untrusted_certificate_is_named_with_what_to_pass(string scheme)
    {
        var address = scheme == "tls" ? Tls : Wss;

        var result = await Gwctl.RunAsync(gw.Dir, "send", address, "ping", "--key-file", gw.OperatorKey);

        Assert.True(result.ExitCode == 77, result.ToString());
        Assert.Contains($"the certificate '{gw.ServerSubject}' issued by '{gw.AuthoritySubject}', which this system does not trust", result.Err, StringComparison.Ordinal);
        Assert.Contains("pass --ca-file", result.Err, StringComparison.Ordinal);
        Assert.Contains($"--pin {gw.Pin}", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_pin_is_refused_showing_the_servers_actual_pin()
    {
        var wrong = new string('A', 64);

        var result = await Gwctl.RunAsync(gw.Dir, "watch", Tls, "--pin", wrong, "--count", "1");

        Assert.True(result.ExitCode == 77, result.ToString());
        Assert.Contains($"whose pin is {gw.Pin}, not the --pin {wrong}", result.Err, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_ca_file_of_another_ca_is_refused_saying_it_did_not_sign_the_certificate()
    {
        using var other = TestCertificates.Authority("Someone Else's CA");
        var otherCa = TestCertificates.WritePem(other, Path.Combine(gw.Dir, "other-ca.pem"));

        var result = await Gwctl.RunAsync(gw.Dir, "send", Wss, "ping", "--ca-file", otherCa, "--key-file", gw.OperatorKey);

        Assert.True(result.ExitCode == 77, result.ToString());
        Assert.Contains($"which the CA in --ca-file {otherCa} did not sign", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_tcp_to_the_tls_port_gets_no_hello_and_is_told_to_use_tls()
    {
        var result = await Gwctl.RunAsync(gw.Dir, "watch", $"tcp://127.0.0.1:{gw.TcpPort}", "--timeout", "2s", "--no-reconnect");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"that port speaks TLS: use tls://127.0.0.1:{gw.TcpPort}", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_ws_to_the_wss_port_is_told_to_use_wss()
    {
        var result = await Gwctl.RunAsync(gw.Dir, "send", $"ws://127.0.0.1:{gw.WebSocketPort}/ws", "ping", "--key-file", gw.OperatorKey, "--timeout", "5s");

        Assert.True(result.ExitCode == 69, result.ToString());
        Assert.Contains($"that port speaks TLS: use wss://127.0.0.1:{gw.WebSocketPort}/ws", result.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--ca-file", "ca.pem", "tcp", 64, "--ca-file and --pin check a TLS gateway's certificate: give tls://")]
    [InlineData("--pin", "12:34", "tls", 64, "--pin '12:34': expected the SHA-256 fingerprint")]
    [InlineData("--ca-file", "missing.pem", "tls", 78, "--ca-file missing.pem: ")]
    public async Task Tls_options_that_cannot_work_are_refused_before_connecting(string option, string value, string scheme, int exitCode, string expected)
    {
        var result = await Gwctl.RunAsync(gw.Dir, "send", $"{scheme}://127.0.0.1:{gw.TcpPort}", "ping", option, value, "--key-file", gw.OperatorKey);

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
    }
}
