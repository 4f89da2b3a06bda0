using Gateway.Console.Tests.Infrastructure;
using Mosquitto = Gateway.Mqtt.Tests.Broker.Mosquitto;

namespace Gateway.Console.Tests.EndToEnd;

/// <summary>
/// A real mosquitto on a free loopback port that wants a login (user <see cref="User"/>, a password file made with
/// mosquitto_passwd), and a real gateway whose MQTT link logs in to it with the default topic prefix
/// (<c>gateway/{device}</c>) and the keys 'gwctl keygen' made (an operator the gateway knows and a stranger it does
/// not). gwctl's password is in a file only its owner may read. Shared by the tests of one class.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MqttGateway : IAsyncLifetime
{
    public const string Device = "mq-e2e";
    public const string User = "gw";
    public const string Password = "broker-pw-71";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();
    private ChildProcess? _gateway;

    public string Dir => _dir.Path;

    public string OperatorKey => _dir.File("operator.key");

    public string StrangerKey => _dir.File("stranger.key");

    public string PasswordFile => _dir.File("mqtt.password");

    internal Mosquitto Broker { get; private set; } = null!;

    /// <summary>The gateway's address on the broker: <c>mqtt://127.0.0.1:&lt;port&gt;/gateway/mq-e2e</c>.</summary>
    public string Address => $"mqtt://127.0.0.1:{Broker.Port}/gateway/{Device}";

    /// <summary>The login options every gwctl call against this broker needs.</summary>
    public string[] Login => ["--mqtt-user", User, "--mqtt-password-file", PasswordFile];

    internal ChildProcess Gateway => _gateway!;

    /// <summary>Skips the test where mosquitto cannot be had, fails it where it could have been installed (<see cref="Mosquitto.Require"/>).</summary>
    public static void Require() => Mosquitto.Require();

    public async ValueTask InitializeAsync()
    {
        try
        {
            Mosquitto.Require();
        }
#pragma warning disable CA1031 // a skip or failure thrown here would not reach a test: each test asks again (Require) and skips or fails there
        catch (Exception)
#pragma warning restore CA1031
        {
            return;
        }

        Broker = await Mosquitto.StartAsync(allowAnonymous: false, prepare: (dir, exe) => Mosquitto.PasswordFile(dir, exe, User, Password));
        await File.WriteAllTextAsync(PasswordFile, Password + "\n");
        File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var keygen = await Gwctl.RunAsync(Dir, "keygen", "--name", "operator", "--out", OperatorKey, "--allow", "ping,status");
        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        var stranger = await Gwctl.RunAsync(Dir, "keygen", "--name", "stranger", "--out", StrangerKey, "--allow", "ping");
        Assert.True(stranger.ExitCode == 0, stranger.ToString());
        var configuration = keygen.Stdout.Select(l => l.Trim()).Where(l => l.StartsWith("--Gateway:Commands:Keys:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, configuration.Count);

        _gateway = ChildProcess.Start(ProgramUnderTest.Gateway.FileName,
        [
            .. ProgramUnderTest.Gateway.LeadingArguments,
            $"--Gateway:DeviceId={Device}",
            $"--Gateway:StateDirectory={_dir.File("state")}",
            "--Gateway:Sampling:Interval=200ms",
            "--Gateway:Listener:Http=127.0.0.1:0",
            $"--Gateway:Upstream:Mqtt:Broker=127.0.0.1:{Broker.Port}",
            $"--Gateway:Upstream:Mqtt:Username={User}",
            $"--Gateway:Upstream:Mqtt:Password={Password}",
            "--Gateway:Upstream:Mqtt:BackoffMax=500ms",
            .. configuration,
        ], Dir);

        // A command published before the link subscribed would be lost (commands are not retained).
        await _gateway.WaitForLineAsync($"subscribed to gateway/{Device}/commands", Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            if (!_gateway.HasExited)
            {
                _gateway.Signal(Signals.SIGTERM);
                await _gateway.WaitForExitAsync(Timeout);
            }

            _gateway.Dispose();
        }

        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }

        _dir.Dispose();
    }
}
