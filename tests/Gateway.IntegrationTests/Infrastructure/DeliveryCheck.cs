using Microsoft.Data.Sqlite;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>The at-least-once promise, checked: every committed seq was received upstream or is still in the outbox.</summary>
internal static class DeliveryCheck
{
    /// <summary>
    /// The last seq committed to the outbox at <paramref name="databasePath"/> (its <c>last_seq</c>, written in each
    /// commit's own transaction), or 0 before the first commit; the file may belong to a running gateway (WAL mode lets
    /// a read-only connection read beside the writer, as the gateway's own links do).
    /// </summary>
    public static long LastCommitted(string databasePath)
    {
        using var db = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = 'last_seq'";
        return command.ExecuteScalar() is { } value ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Seqs up to the last committed one that are neither in <paramref name="received"/> nor still stored in the database at <paramref name="databasePath"/>.</summary>
    public static List<long> Missing(string databasePath, IReadOnlySet<long> received)
    {
        using var db = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var command = db.CreateCommand();

        // last_seq is kept even after its row was acknowledged and deleted.
        command.CommandText = "SELECT seq FROM readings UNION SELECT value FROM meta WHERE key = 'last_seq'";
        var stored = new HashSet<long>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                stored.Add(reader.GetInt64(0));
            }
        }

        return [.. Enumerable.Range(1, (int)stored.Max()).Select(i => (long)i).Where(s => !received.Contains(s) && !stored.Contains(s))];
    }
}
