using Microsoft.Data.Sqlite;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>The at-least-once promise, checked: every committed seq was received upstream or is still in the outbox.</summary>
internal static class DeliveryCheck
{
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
