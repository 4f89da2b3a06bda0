using Microsoft.Data.Sqlite;

namespace Gateway.Outbox;

/// <summary>
/// The outbox file's tables, and the one migration between its versions (docs/protocol.md, "Outbox file"). The
/// version is kept in <c>meta</c> under <c>schema</c>; a file without it is version 1.
/// </summary>
internal static class OutboxSchema
{
    /// <summary>The version this build writes.</summary>
    public const long Version = 2;

    private const string Tables = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, quantity TEXT NOT NULL, unit TEXT NOT NULL, UNIQUE (sensor, quantity, unit));
        CREATE TABLE IF NOT EXISTS readings (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, series INTEGER NOT NULL, value REAL NOT NULL, text TEXT, kind INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS cursors (link TEXT PRIMARY KEY, seq INTEGER NOT NULL, durable INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS gaps (from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL, reason TEXT NOT NULL, ts INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        """;

    // RecordKind.Health = 1; StoredRecord.HealthQuantity = 'health'.
    private const string MarkHealth = "UPDATE readings SET kind = 1 WHERE text IS NOT NULL AND series IN (SELECT id FROM series WHERE quantity = 'health')";

    /// <summary>
    /// Creates the tables a fresh file lacks and brings an older file up to <see cref="Version"/>, in one transaction
    /// (a crash part-way leaves the file as it was, and the next start does it again).
    /// </summary>
    public static void Apply(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Execute(connection, Tables, null);
        using var tx = connection.BeginTransaction();
        var version = Meta(connection, tx);
        if (version >= Version)
        {
            return; // a newer build's file is left as it is: its additions are columns with defaults
        }

        if (!HasKindColumn(connection, tx))
        {
            // Version 1 stored a health change as a reading of quantity 'health' with its message in text (a reading
            // never had a text), so a sensor quantity called 'health' could not be told apart from it. Those rows are
            // marked once; from version 2 on, the kind column alone says what a row is.
            Execute(connection, "ALTER TABLE readings ADD COLUMN kind INTEGER NOT NULL DEFAULT 0", tx);
            Execute(connection, MarkHealth, tx);
        }

        using (var set = connection.CreateCommand())
        {
            set.Transaction = tx;
            set.CommandText = "INSERT INTO meta (key, value) VALUES ('schema', $version) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
            set.Parameters.AddWithValue("$version", Version);
            set.ExecuteNonQuery();
        }

        tx.Commit();
    }

    // SQLite's table_info pragma as a table-valued function (sqlite.org/pragma.html#pragfunc).
    private static bool HasKindColumn(SqliteConnection connection, SqliteTransaction tx)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('readings') WHERE name = 'kind'";
        return (long)command.ExecuteScalar()! > 0;
    }

    private static long Meta(SqliteConnection connection, SqliteTransaction tx)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT value FROM meta WHERE key = 'schema'";
        return command.ExecuteScalar() is long value ? value : 1;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
