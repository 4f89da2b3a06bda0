using System.Net;
using System.Net.Sockets;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// Traffic from "other machines" without leaving the host: all of 127.0.0.0/8 is loopback, so each attacker binds its
/// own 127.0.0.x source address and per-address limits see distinct peers. The operator alone uses 127.0.0.1.
/// </summary>
internal static class LoopbackSources
{
    public static readonly IPAddress Operator = IPAddress.Loopback;
    public static readonly IPAddress LineSender = IPAddress.Parse("127.0.0.2");
    public static readonly IPAddress WebSocketSender = IPAddress.Parse("127.0.0.3");
    public static readonly IPAddress WebSender = IPAddress.Parse("127.0.0.4");
    public static readonly IPAddress IdleHolder = IPAddress.Parse("127.0.0.5");
    public static readonly IPAddress SlowLoris = IPAddress.Parse("127.0.0.6");
    public static readonly IPAddress WebIdleHolder = IPAddress.Parse("127.0.0.7");
    public static readonly IPAddress Churn = IPAddress.Parse("127.0.0.8");
    public static readonly IPAddress Replayer = IPAddress.Parse("127.0.0.9");
    public static readonly IPAddress Viewer = IPAddress.Parse("127.0.0.10");
    public static readonly IPAddress AuditFlood = IPAddress.Parse("127.0.0.11");

    /// <summary>A TCP connection from <paramref name="source"/> to 127.0.0.1:<paramref name="port"/>, within 10 s.</summary>
    public static async Task<Socket> ConnectAsync(IPAddress source, int port, CancellationToken token)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), limit.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An HTTP handler whose connections come from <paramref name="source"/>.</summary>
    public static SocketsHttpHandler HttpHandler(IPAddress source, CookieContainer? cookies = null) => new()
    {
        UseCookies = cookies is not null,
        CookieContainer = cookies ?? new CookieContainer(),
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        ConnectCallback = async (context, token) =>
        {
            var socket = await ConnectAsync(source, context.DnsEndPoint.Port, token);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    /// <summary>The failures a sender expects when the gateway hangs up on it, refuses it, is slow, or is gone.</summary>
    public static bool IsHangUp(Exception ex) =>
        ex is SocketException or IOException or ObjectDisposedException or HttpRequestException or System.Net.WebSockets.WebSocketException or OperationCanceledException;
}
