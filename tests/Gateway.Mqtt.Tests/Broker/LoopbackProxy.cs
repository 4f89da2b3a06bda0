using System.Net;
using System.Net.Sockets;

namespace Gateway.Mqtt.Tests.Broker;

/// <summary>
/// A TCP relay between the client and the broker on loopback, so a test can cut the network under a live connection:
/// <see cref="Drop"/> closes both sides at once, and the broker sees a connection lost without DISCONNECT.
/// </summary>
internal sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LoopbackProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>While set, what the client sends is swallowed (a network that lost it): the broker never sees it, so never acknowledges it.</summary>
    public bool BlackHole { get; set; }

    /// <summary>Closes every relayed connection abruptly.</summary>
    public void Drop()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Close(0);
            }

            _sockets.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Drop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(IPAddress.Loopback, _target);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            _ = PumpAsync(client, server, this);
            _ = PumpAsync(server, client, null);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, LoopbackProxy? blackHole)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (blackHole is not { BlackHole: true })
                {
                    await to.SendAsync(buffer.AsMemory(0, read));
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // dropped
        }
    }
}
