namespace Gateway.Links;

/// <summary>
/// A peer of a TLS listener failed its handshake (see <see cref="ListenerTls"/>, which has logged it): the connection
/// is dropped, like one refused over the connection limits, and the listener goes on.
/// </summary>
internal sealed class TlsHandshakeException : Exception
{
    public TlsHandshakeException()
    {
    }

    public TlsHandshakeException(string message)
        : base(message)
    {
    }

    public TlsHandshakeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
