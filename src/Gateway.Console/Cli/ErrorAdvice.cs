using System.Net.Sockets;
using Gateway.Console.Addressing;

namespace Gateway.Console.Cli;

/// <summary>
/// Turns a failure into one line that says what happened and what to check, naming the gateway's configuration key
/// where that is the likely cause ("connection refused at 127.0.0.1:7010: is the gateway's listener enabled? see
/// Gateway:Listener:Tcp"). Pure, so every message is tested.
/// </summary>
internal static class ErrorAdvice
{
    /// <summary>Why a connection (or, for UDP, a send) to <paramref name="address"/> failed.</summary>
    public static string ConnectFailed(GatewayAddress address, SocketError error, string detail, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        var where = address.Endpoint.ToString();
        return error switch
        {
            SocketError.ConnectionRefused => $"connection refused at {Describe(address)}: {WhatToCheck(address)}",
            SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData =>
                $"cannot resolve '{address.Endpoint.Host}': check the name, or give the IP address (gwctl discover lists the gateways on this network)",
            SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown =>
                $"{where} is unreachable ({detail}): check the address and this machine's network",
            SocketError.TimedOut => TimedOut(address, timeout),
            SocketError.ConnectionReset or SocketError.ConnectionAborted =>
                $"{Describe(address)} closed the connection at once ({detail}): {WhatToCheck(address)}",
            _ => $"cannot connect to {Describe(address)}: {detail}",
        };
    }

    /// <summary>A connection attempt that got no answer within the timeout.</summary>
    public static string TimedOut(GatewayAddress address, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        return $"no answer from {Describe(address)} within {Seconds(timeout)}: check the address; a firewall may be dropping the connection";
    }

    /// <summary>A WebSocket upgrade that the server answered with <paramref name="status"/> instead of 101.</summary>
    public static string WebSocketRefused(GatewayAddress address, int status)
    {
        ArgumentNullException.ThrowIfNull(address);
        return status switch
        {
            404 => $"nothing at {address}: the gateway's WebSocket listener is at the path {GatewayAddress.DefaultWebSocketPath} ({(address.Tls ? "wss" : "ws")}://{address.Endpoint}{GatewayAddress.DefaultWebSocketPath})",
            400 => $"{address} refused the WebSocket handshake (HTTP 400): is it the gateway's WebSocket listener? (it needs the subprotocol gateway.v1)",
            503 => $"{address} is full (HTTP 503): the gateway already has Gateway:Listener:MaxConnections consoles connected",
            _ => $"{address} answered HTTP {status} instead of accepting a WebSocket: is it the gateway's WebSocket listener? see Gateway:Listener:WebSocket",
        };
    }

    /// <summary>The peer accepted the connection but never said <c>hello</c>.</summary>
    public static string NoHello(GatewayAddress address, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        return $"connected to {Describe(address)}, but no hello within {Seconds(timeout)}: is it a gateway's listener? (Gateway:Listener:Tcp or :WebSocket){PlainToTls(address)}";
    }

    /// <summary>What to check when nothing listens at <paramref name="address"/>.</summary>
    public static string WhatToCheck(GatewayAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Transport switch
        {
            TransportKind.Tcp => "is the gateway running and its listener enabled? see Gateway:Listener:Tcp",
            TransportKind.WebSocket => "is the gateway running and its WebSocket listener enabled? see Gateway:Listener:WebSocket",
            TransportKind.Udp => "is the gateway running and its UDP command port enabled? see Gateway:Listener:Udp",
            TransportKind.Mqtt => "is the MQTT broker running there? it is the one in the gateway's Gateway:Upstream:Mqtt:Broker",
            _ => $"is 'gwctl listen --control {address.Endpoint}' running?",
        };
    }

    /// <summary>The address the way the error names it: host:port for TCP (as the socket sees it), the URL otherwise.</summary>
    public static string Describe(GatewayAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Transport == TransportKind.Tcp && !address.Tls ? address.Endpoint.ToString() : address.ToString();
    }

    /// <summary>
    /// The hint for a plain address whose peer never says hello or hangs up at once: a listener with TLS waits for a
    /// TLS ClientHello (RFC 8446 §4.1.2) and drops what is not one. Empty for a TLS address, UDP and listen://.
    /// </summary>
    public static string PlainToTls(GatewayAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Tls || address.Transport is not (TransportKind.Tcp or TransportKind.WebSocket)
            ? string.Empty
            : $"; if the gateway has Gateway:Listener:Tls, that port speaks TLS: use {(address.Transport == TransportKind.Tcp ? "tls" : "wss")}://{address.Endpoint}{address.Path}";
    }

    /// <summary>A TLS handshake that failed before any certificate came: the peer does not speak TLS.</summary>
    public static string NotTls(GatewayAddress address, string detail)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.Transport == TransportKind.Tcp ? "tcp" : "ws";
        return $"the TLS handshake with {address} failed before any certificate came ({detail}): is it a plain listener? a gateway without Gateway:Listener:Tls speaks {plain}://{address.Endpoint}{address.Path}";
    }

    /// <summary>A timeout as people write it: <c>10s</c>, <c>1.5s</c>, <c>500ms</c>.</summary>
    public static string Seconds(TimeSpan t) => t.TotalSeconds >= 1
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.##}s")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0}ms");
}
