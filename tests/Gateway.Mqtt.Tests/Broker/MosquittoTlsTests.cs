using Gateway.Protocol.Transport;

namespace Gateway.Mqtt.Tests.Broker;

/// <summary>
/// TLS to a real mosquitto with the gateway's policy (<see cref="TlsClientSettings"/>) handed to the client from
/// outside: a CA file, a pinned certificate, a client certificate; the wrong ones are refused.
/// </summary>
public sealed class MosquittoTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gw-mqtt-tls-").FullName;
    private readonly TestCertificates _certificates;

    public MosquittoTlsTests()
    {
        try
        {
            _certificates = new TestCertificates(_directory);
        }
        catch
        {
            Directory.Delete(_directory, recursive: true); // Dispose does not run when the constructor throws
            throw;
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<Mosquitto> StartAsync(bool requireClientCertificate = false) => Mosquitto.StartAsync(prepare: (_, _) =>
    [
        $"certfile {_certificates.ServerCertificateFile}",
        $"keyfile {_certificates.ServerKeyFile}",
        $"cafile {_certificates.CaFile}",
        $"require_certificate {(requireClientCertificate ? "true" : "false")}",
    ]);

    private static MqttClientOptions Options(Mosquitto broker, TlsClientSettings policy, string? targetHost = null) => new()
    {
        Host = "127.0.0.1",
        Port = broker.Port,
        ClientId = "tls",
        Timeout = TimeSpan.FromSeconds(5),
        Tls = new MqttClientTlsOptions { TargetHost = targetHost, AuthenticationOptions = policy.ClientOptions },
    };

    private static async Task PublishToSelfAsync(MqttClient client)
    {
        var inbox = new Inbox(client);
        await client.SubscribeAsync("tls/echo", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        await client.PublishAsync("tls/echo", "secret"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Token);
        Assert.Equal("secret", await inbox.NextTextAsync());
    }

    [Fact]
    public async Task The_ca_file_is_the_trust_anchor_and_the_host_name_is_checked()
    {
        await using var broker = await StartAsync();
        await using var client = new MqttClient();

        await client.ConnectAsync(Options(broker, new TlsClientSettings { CaFile = _certificates.CaFile }, "localhost"), Token);
        await PublishToSelfAsync(client);
        await client.DisconnectAsync(Token);

        var error = await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(Options(broker, new TlsClientSettings { CaFile = _certificates.CaFile }, "not-the-broker"), Token));
        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_ca_file_the_system_store_does_not_trust_a_private_ca()
    {
        await using var broker = await StartAsync();
        await using var client = new MqttClient();

        var error = await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(Options(broker, new TlsClientSettings(), "localhost"), Token));
        Assert.Contains($"TLS with 127.0.0.1:{broker.Port} failed", error.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_pinned_certificate_is_accepted_exactly_and_a_wrong_pin_is_refused()
    {
        await using var broker = await StartAsync();
        await using var client = new MqttClient();

        await client.ConnectAsync(Options(broker, new TlsClientSettings { Pin = _certificates.ServerPin }, "whatever"), Token);
        await PublishToSelfAsync(client);
        await client.DisconnectAsync(Token);

        await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(Options(broker, new TlsClientSettings { Pin = new string('A', 64) }), Token));
    }

    [Fact]
    public async Task A_broker_that_requires_a_client_certificate_accepts_ours_and_refuses_none()
    {
        await using var broker = await StartAsync(requireClientCertificate: true);
        await using var client = new MqttClient();

        await client.ConnectAsync(
            Options(broker, new TlsClientSettings { CaFile = _certificates.CaFile, ClientCertificate = _certificates.ClientCertificateFile, ClientKey = _certificates.ClientKeyFile }, "localhost"),
            Token);
        await PublishToSelfAsync(client);
        await client.DisconnectAsync(Token);

        await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(Options(broker, new TlsClientSettings { CaFile = _certificates.CaFile }, "localhost"), Token));
    }

    [Fact]
    public async Task A_policy_that_cannot_be_built_fails_the_connect_naming_its_file()
    {
        await using var broker = await StartAsync();
        await using var client = new MqttClient();
        var missing = Path.Combine(_directory, "missing-ca.pem");

        var error = await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync(Options(broker, new TlsClientSettings { CaFile = missing }, "localhost"), Token));

        Assert.Contains($"TLS with 127.0.0.1:{broker.Port} failed", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public void Tls_options_without_a_policy_factory_are_refused_by_validation()
    {
        var error = Assert.Throws<ArgumentException>(() => new MqttClientOptions { ClientId = "x", Tls = new MqttClientTlsOptions { AuthenticationOptions = null! } }.Validate());
        Assert.Contains("AuthenticationOptions", error.Message, StringComparison.Ordinal);
    }
}
