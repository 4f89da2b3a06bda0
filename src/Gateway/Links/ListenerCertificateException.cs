namespace Gateway.Links;

/// <summary>Which of the listener's TLS files a problem is about.</summary>
internal enum ListenerTlsFile
{
    /// <summary><c>Gateway:Listener:Tls:Certificate</c>.</summary>
    Certificate,

    /// <summary><c>Gateway:Listener:Tls:Key</c>.</summary>
    Key,
}

/// <summary>The listener's certificate or key cannot be used: which file, and what it must be instead.</summary>
internal sealed class ListenerCertificateException : Exception
{
    public ListenerCertificateException()
        : this(ListenerTlsFile.Certificate, "a usable certificate")
    {
    }

    public ListenerCertificateException(string message)
        : this(ListenerTlsFile.Certificate, message)
    {
    }

    public ListenerCertificateException(string message, Exception inner)
        : this(ListenerTlsFile.Certificate, message, inner)
    {
    }

    public ListenerCertificateException(ListenerTlsFile file, string expected, Exception? inner = null)
        : base(expected, inner)
    {
        File = file;
    }

    /// <summary>The file at fault.</summary>
    public ListenerTlsFile File { get; }
}
