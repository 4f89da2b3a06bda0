using System.Text;

namespace Gateway.Mqtt;

/// <summary>A fluent way to make <see cref="MqttClientOptions"/>, in the shape MQTTnet users know.</summary>
public sealed class MqttClientOptionsBuilder
{
    private string _host = "127.0.0.1";
    private int _port = 1883;
    private string _clientId = string.Empty;
    private bool _cleanSession = true;
    private TimeSpan _keepAlive = TimeSpan.FromSeconds(60);
    private string? _username;
    private ReadOnlyMemory<byte>? _password;
    private MqttApplicationMessage? _will;
    private TimeSpan _timeout = TimeSpan.FromSeconds(10);
    private int _maxInflight = 100;
    private int _maximumPacketSize = 16 * 1024 * 1024;
    private int _receiveQueueCapacity = 1024;
    private MqttClientTlsOptions? _tls;
    private TimeProvider _timeProvider = TimeProvider.System;
    private Func<CancellationToken, ValueTask<Stream>>? _streamFactory;

    /// <summary>The broker's host and port.</summary>
    public MqttClientOptionsBuilder WithTcpServer(string host, int port = 1883)
    {
        _host = host;
        _port = port;
        return this;
    }

    /// <summary>The client identifier.</summary>
    public MqttClientOptionsBuilder WithClientId(string clientId)
    {
        _clientId = clientId;
        return this;
    }

    /// <summary>Clean (true) or persistent (false) session.</summary>
    public MqttClientOptionsBuilder WithCleanSession(bool cleanSession = true)
    {
        _cleanSession = cleanSession;
        return this;
    }

    /// <summary>Keep alive period (whole seconds; zero turns it off).</summary>
    public MqttClientOptionsBuilder WithKeepAlivePeriod(TimeSpan period)
    {
        _keepAlive = period;
        return this;
    }

    /// <summary>User name and password (the password as UTF-8).</summary>
    public MqttClientOptionsBuilder WithCredentials(string username, string? password)
    {
        _username = username;
        _password = password is null ? null : Encoding.UTF8.GetBytes(password);
        return this;
    }

    /// <summary>User name and binary password.</summary>
    public MqttClientOptionsBuilder WithCredentials(string username, ReadOnlyMemory<byte> password)
    {
        _username = username;
        _password = password;
        return this;
    }

    /// <summary>The last will.</summary>
    public MqttClientOptionsBuilder WithWillMessage(MqttApplicationMessage will)
    {
        _will = will;
        return this;
    }

    /// <summary>How long to wait for the broker (connect, CONNACK, SUBACK, UNSUBACK, PINGRESP, writes).</summary>
    public MqttClientOptionsBuilder WithTimeout(TimeSpan timeout)
    {
        _timeout = timeout;
        return this;
    }

    /// <summary>The QoS 1 in-flight window.</summary>
    public MqttClientOptionsBuilder WithMaxInflightMessages(int count)
    {
        _maxInflight = count;
        return this;
    }

    /// <summary>The largest packet accepted from the broker.</summary>
    public MqttClientOptionsBuilder WithMaximumPacketSize(int bytes)
    {
        _maximumPacketSize = bytes;
        return this;
    }

    /// <summary>Received messages queued for the handler, at most.</summary>
    public MqttClientOptionsBuilder WithReceiveQueueCapacity(int count)
    {
        _receiveQueueCapacity = count;
        return this;
    }

    /// <summary>TLS settings.</summary>
    public MqttClientOptionsBuilder WithTls(MqttClientTlsOptions tls)
    {
        _tls = tls;
        return this;
    }

    /// <summary>The clock for keep alive and timeouts.</summary>
    public MqttClientOptionsBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        return this;
    }

    /// <summary>Opens the byte stream to the broker instead of TCP (see <see cref="MqttClientOptions.StreamFactory"/>).</summary>
    public MqttClientOptionsBuilder WithStreamFactory(Func<CancellationToken, ValueTask<Stream>> streamFactory)
    {
        _streamFactory = streamFactory;
        return this;
    }

    /// <summary>Makes the options and validates them.</summary>
    public MqttClientOptions Build()
    {
        var options = new MqttClientOptions
        {
            Host = _host,
            Port = _port,
            ClientId = _clientId,
            CleanSession = _cleanSession,
            KeepAlivePeriod = _keepAlive,
            Username = _username,
            Password = _password,
            WillMessage = _will,
            Timeout = _timeout,
            MaxInflightMessages = _maxInflight,
            MaximumPacketSize = _maximumPacketSize,
            ReceiveQueueCapacity = _receiveQueueCapacity,
            Tls = _tls,
            TimeProvider = _timeProvider,
            StreamFactory = _streamFactory,
        };
        options.Validate();
        return options;
    }
}
