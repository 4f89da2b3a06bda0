using System.Net;
using Gateway.Links;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Web;

/// <summary>
/// Kestrel connection middleware for the gateway's HTTP listeners: one remote address holds at most
/// <c>Gateway:Listener:HttpMaxConnectionsPerAddress</c> connections (Kestrel itself limits only the total); one more is
/// closed at once, before a byte of it is read, and reported to the listener (which logs it, summarised per address).
/// Without it one LAN host could hold every slot of a listener and keep everyone else out.
/// </summary>
internal sealed class PerAddressConnections
{
    private readonly ConnectionLimiter _limiter;
    private readonly Action<IPAddress?> _refused;

    /// <summary>Creates the limit.</summary>
    /// <param name="maxConnections">Connections the listener takes at once (Kestrel's own limit).</param>
    /// <param name="maxPerAddress">Connections one address may hold.</param>
    /// <param name="refused">Told of each connection closed for its address (called on Kestrel's thread: keep it short).</param>
    public PerAddressConnections(int maxConnections, int maxPerAddress, Action<IPAddress?> refused)
    {
        ArgumentNullException.ThrowIfNull(refused);
        _limiter = new ConnectionLimiter(maxConnections, maxPerAddress);
        _refused = refused;
    }

    /// <summary>The middleware, for <c>ListenOptions.Use</c>.</summary>
    public ConnectionDelegate Use(ConnectionDelegate next) => async connection =>
    {
        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        using var slot = _limiter.TryAcquire(remote, out _);
        if (slot is null)
        {
            _refused(remote);
            connection.Abort(new ConnectionAbortedException("too many connections from this address"));
            return;
        }

        await next(connection).ConfigureAwait(false);
    };
}
