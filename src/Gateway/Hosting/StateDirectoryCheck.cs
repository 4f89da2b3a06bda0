namespace Gateway.Hosting;

/// <summary>
/// Proves at start that the gateway can write where it keeps its state (the outbox, its seq reservation, the audit
/// log), by creating and deleting an empty file there — so that a read-only mount is reported as what it is instead of
/// surfacing later as a "corrupt" database or a missing file.
/// </summary>
internal static class StateDirectoryCheck
{
    // errno values (Linux asm-generic/errno-base.h); .NET puts the raw errno in IOException.HResult on Unix.
    private const int Enospc = 28;

    /// <summary>Null when a file can be created in <paramref name="directory"/>; else why not, e.g. "Read-only file system".</summary>
    /// <remarks>
    /// A full disk (ENOSPC) is not refused here: the outbox is built to run through one, holding readings in memory.
    /// </remarks>
    public static string? WhyNotWritable(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var probe = Path.Combine(directory, $".gateway-write-check-{Environment.ProcessId}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (IOException ex) when (ex.HResult == Enospc)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return "permission denied";
        }
        catch (IOException ex)
        {
            // "Read-only file system : '<probe path>'": the reason without the probe's name.
            var reason = ex.Message;
            var at = reason.IndexOf(" : '", StringComparison.Ordinal);
            return at > 0 ? reason[..at] : reason.Replace(probe, directory, StringComparison.Ordinal);
        }
    }
}
