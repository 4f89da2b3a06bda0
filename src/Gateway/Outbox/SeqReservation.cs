using System.Globalization;

namespace Gateway.Outbox;

/// <summary>
/// Guarantees that sequence numbers are never reused, even when the database had to be moved aside: a small file
/// in the state directory records a block of numbers reserved ahead of use (fsync'd before the block is used).
/// After a crash or a lost database, numbering resumes above the reservation — a jump, never a repeat.
/// </summary>
internal sealed class SeqReservation
{
    /// <summary>Numbers reserved per write of the file: one small fsync per this many readings.</summary>
    public const long BlockSize = 100_000;

    private readonly string _path;

    /// <summary>Uses the file at <paramref name="path"/> (created when missing).</summary>
    public SeqReservation(string path)
    {
        _path = path;
        Reserved = ReadFile();
    }

    /// <summary>Every seq up to and including this may have been used.</summary>
    public long Reserved { get; private set; }

    /// <summary>Makes sure <paramref name="seq"/> is covered by the reservation, writing a new block when it is not.</summary>
    public void Cover(long seq)
    {
        if (seq <= Reserved)
        {
            return;
        }

        var next = (((seq / BlockSize) + 1) * BlockSize) + BlockSize - 1;
        var temp = _path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64, FileOptions.WriteThrough))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture) + "\n"));
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, _path, overwrite: true);
        Reserved = next;
    }

    private long ReadFile()
    {
        try
        {
            var text = File.ReadAllText(_path).Trim();
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}
