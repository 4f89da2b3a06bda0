using Microsoft.Data.Sqlite;

namespace Gateway.Outbox;

/// <summary>
/// What can still be read from an outbox file that had to be moved aside: each link's cursor, the last seq committed
/// and the lowest seq stored. Each is read on its own, so damage to one table does not hide the others; whatever
/// cannot be read is null (or empty). Used to announce exactly what the corrupt file took with it.
/// </summary>
/// <param name="Cursors">Link name → (seq acknowledged through, durable), as far as the cursors table could be read.</param>
/// <param name="LastSeq">The last seq committed (the <c>last_seq</c> meta value, else the highest stored), or null.</param>
/// <param name="LowestSeq">The lowest seq still stored, or null.</param>
internal sealed record OutboxSalvage(IReadOnlyDictionary<string, (long Seq, bool Durable)> Cursors, long? LastSeq, long? LowestSeq)
{
    /// <summary>Nothing could be read.</summary>
    public static OutboxSalvage Nothing { get; } = new(new Dictionary<string, (long, bool)>(StringComparer.Ordinal), null, null);

    /// <summary>
    /// The first seq lost with the file: just after the lowest cursor of an acknowledged link (what every such link
    /// still waited for); without one, the lowest stored seq; knowing neither, seq 1.
    /// </summary>
    public long FirstLost
    {
        get
        {
            var durable = Cursors.Values.Where(c => c.Durable).Select(c => c.Seq).ToList();
            var first = durable.Count > 0 ? durable.Min() + 1 : LowestSeq ?? 1;
            return Math.Max(1, first); // a damaged file may hold nonsense; seq starts at 1
        }
    }

    /// <summary>Reads what it can from the (corrupt) database at <paramref name="path"/>, read-only; never throws for a damaged file.</summary>
    public static OutboxSalvage Read(string path)
    {
        SqliteConnection connection;
        try
        {
            connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
        }
        catch (SqliteException)
        {
            return Nothing;
        }

        using (connection)
        {
            var cursors = Try(connection, OutboxDatabase.Cursors) ?? new Dictionary<string, (long, bool)>(StringComparer.Ordinal);
            var last = Try(connection, c => Scalar(c, "SELECT value FROM meta WHERE key = 'last_seq'"));
            var lowest = Try(connection, c => Scalar(c, "SELECT MIN(seq) FROM readings"));
            var highest = Try(connection, c => Scalar(c, "SELECT MAX(seq) FROM readings"));
            return new OutboxSalvage(cursors, MaxOf(last, highest), lowest);
        }
    }

    private static long? MaxOf(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static T? Try<T>(SqliteConnection connection, Func<SqliteConnection, T?> read)
    {
        try
        {
            return read(connection);
        }
        catch (SqliteException)
        {
            return default; // this part of the file is damaged too
        }
        catch (InvalidCastException)
        {
            return default; // a value of the wrong type where a damaged row was
        }
    }

    private static long? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is long value ? value : null;
    }
}
