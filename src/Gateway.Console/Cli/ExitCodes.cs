namespace Gateway.Console.Cli;

/// <summary>gwctl's exit codes: 0 and 1 as usual, the rest from BSD sysexits.h, so scripts can tell causes apart.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for <c>send</c>: the gateway answered <c>ok</c>.</summary>
    public const int Ok = 0;

    /// <summary>The gateway refused the command or it failed (the result's code is printed).</summary>
    public const int Refused = 1;

    /// <summary>EX_USAGE: the command line is wrong.</summary>
    public const int Usage = 64;

    /// <summary>EX_UNAVAILABLE: nothing listens there, the connection was lost, or the device is not connected.</summary>
    public const int Unavailable = 69;

    /// <summary>EX_IOERR: a file could not be written (the recording, a key file).</summary>
    public const int IoError = 74;

    /// <summary>EX_TEMPFAIL: no answer within <c>--timeout</c>.</summary>
    public const int Timeout = 75;

    /// <summary>EX_PROTOCOL: the peer does not speak the gateway protocol, or broke it.</summary>
    public const int Protocol = 76;

    /// <summary>EX_NOPERM: the gateway's TLS certificate is not trusted (not signed by <c>--ca-file</c>'s CA or the system's, not for the name, or not the <c>--pin</c>).</summary>
    public const int Untrusted = 77;

    /// <summary>EX_CONFIG: the key file or the CA file is missing, unreadable, readable by others (a key file), or malformed.</summary>
    public const int Config = 78;

    /// <summary>The list printed by <c>--help</c>.</summary>
    public const string Help = "exit codes: 0 ok, 1 refused by the gateway (the code is printed), 64 bad command line, 69 unavailable (connection refused or lost, device not connected), 74 file not writable, 75 timed out, 76 protocol error (e.g. tls:// to a plain listener), 77 the gateway's certificate is not trusted (--ca-file, --pin), 78 key file or CA file problem";
}

/// <summary>A failure gwctl explains in one line and ends with <see cref="ExitCode"/>; the message says what to do.</summary>
internal sealed class GwctlException : Exception
{
    public GwctlException()
        : this(ExitCodes.Unavailable, "failed")
    {
    }

    public GwctlException(string message)
        : this(ExitCodes.Unavailable, message)
    {
    }

    public GwctlException(string message, Exception inner)
        : base(message, inner)
    {
        ExitCode = ExitCodes.Unavailable;
    }

    public GwctlException(int exitCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    /// <summary>What gwctl exits with.</summary>
    public int ExitCode { get; }
}
