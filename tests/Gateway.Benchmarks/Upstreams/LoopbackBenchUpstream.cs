using System.Net;
using System.Net.Sockets;

namespace Gateway.Benchmarks.Upstreams;

/// <summary>
/// A receiver listening on a free loopback port, serving one connection at a time (a link reconnecting is served again
/// with the same counters); the subclasses speak the transport over the accepted stream.
/// </summary>
internal abstract class LoopbackBenchUpstream : BenchUpstream
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    /// <summary>Starts listening and accepting.</summary>
    protected LoopbackBenchUpstream(bool acknowledge, LatencyHistogram? latency)
        : base(acknowledge, latency)
    {
        _listener.Start();
        _accepting = AcceptLoop();
    }

    /// <summary>The listening port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    /// <summary>Serves one accepted connection until it ends.</summary>
    protected abstract Task Serve(NetworkStream stream, CancellationToken token);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            client.NoDelay = true;
            try
            {
                await Serve(client.GetStream(), _stop.Token);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                // the link went away, or broke the protocol; wait for the next connection
            }
        }
    }
}
