namespace Gateway.Hosting;

/// <summary>Process exit codes, from sysexits.h where one fits.</summary>
internal static class ExitCodes
{
    /// <summary>Stopped cleanly.</summary>
    public const int Ok = 0;

    /// <summary>Failed while running.</summary>
    public const int Failure = 1;

    /// <summary>EX_USAGE: the command line was wrong.</summary>
    public const int Usage = 64;

    /// <summary>EX_CONFIG: the configuration is invalid; systemd should not restart (RestartPreventExitStatus=78).</summary>
    public const int Config = 78;
}
