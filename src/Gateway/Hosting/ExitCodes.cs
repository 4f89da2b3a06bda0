namespace Gateway.Hosting;

/// <summary>Process exit codes, from sysexits.h where one fits.</summary>
internal static class ExitCodes
{
    /// <summary>Stopped cleanly.</summary>
    public const int Ok = 0;

    /// <summary>Failed while running.</summary>
    public const int Failure = 1;

    /// <summary>
    /// EX_CANTCREAT: the state directory (or the outbox's folder) cannot be written, e.g. a read-only mount. systemd
    /// restarts the gateway (73 is not in RestartPreventExitStatus), so it comes back by itself once the disk is writable.
    /// </summary>
    public const int CantCreate = 73;

    /// <summary>EX_USAGE: the command line was wrong.</summary>
    public const int Usage = 64;

    /// <summary>EX_CONFIG: the configuration is invalid; systemd should not restart (RestartPreventExitStatus=78).</summary>
    public const int Config = 78;
}
