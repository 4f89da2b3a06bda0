using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Gateway.Outbox;

/// <summary>
/// The outbox's SQLite file (WAL): readings keyed by seq with their series (sensor, quantity, unit) interned in a
/// small table, link cursors, gaps, and the last seq used. Single writer: its SQL lives here, the tables in
/// <see cref="OutboxSchema"/>; readers (links) read through their own <see cref="OutboxReader"/>.
/// </summary>
internal sealed class OutboxDatabase : IDisposable
{
    private const int SqliteCorrupt = 11;      // SQLITE_CORRUPT
    private const int SqliteNotADatabase = 26; // SQLITE_NOTADB

    private readonly SqliteConnection _connection;
    private readonly Dictionary<(string, string, string), long> _series = [];
    private readonly Dictionary<long, (string Sensor, string Quantity, string Unit)> _seriesById = [];
    private readonly PreparedStatement _insert; // per row: through the C API, no allocation

    private OutboxDatabase(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
        _insert = new PreparedStatement(connection, "INSERT INTO readings (seq, ts, series, value, text, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        LoadSeries();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens (creating when absent) the database and checks it. Throws <see cref="SqliteException"/> when the file
    /// is not a usable database; the caller moves it aside.
    /// </summary>
    public static OutboxDatabase Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            OutboxSchema.Apply(connection);

            // synchronous=FULL in WAL mode: a committed batch survives power loss (sqlite.org/pragma.html#pragma_synchronous).
            Execute(connection, "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 1000;");
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check";
            var verdict = check.ExecuteScalar() as string;
            if (verdict != "ok")
            {
                throw new SqliteException($"quick_check reported: {verdict}", SqliteCorrupt);
            }

            return new OutboxDatabase(path, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// True when SQLite says the file itself is damaged — SQLITE_CORRUPT (11) or SQLITE_NOTADB (26), including the
    /// quick_check verdict (sqlite.org/rescode.html) — so moving it aside can help. Anything else (SQLITE_READONLY,
    /// SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_IOERR, SQLITE_FULL, SQLITE_BUSY …) is about the disk or the folder, not
    /// the file: a healthy database must never be moved aside for it.
    /// </summary>
    public static bool IsDamaged(SqliteException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return (exception.SqliteErrorCode & 0xFF) is SqliteCorrupt or SqliteNotADatabase;
    }

    /// <summary>The last seq ever committed (kept even after its row is deleted), or 0.</summary>
    public long LastSeq => GetMeta("last_seq");

    /// <summary>Stores a batch in one transaction and records its last seq. The batch is durable when this returns.</summary>
    public void Append(List<StoredRecord> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        using var tx = _connection.BeginTransaction();
        foreach (ref readonly var r in CollectionsMarshal.AsSpan(batch))
        {
            _insert.Bind(1, r.Seq);
            _insert.Bind(2, r.Timestamp.ToUnixTimeMilliseconds());
            _insert.Bind(3, SeriesId(r.SensorId, r.Quantity, r.Unit, tx));
            _insert.Bind(4, r.Value);
            _insert.Bind(5, r.Text);
            _insert.Bind(6, (long)r.Kind);
            _insert.Execute();
        }

        SetMeta("last_seq", batch[^1].Seq, tx);
        tx.Commit();
    }

    /// <summary>Number of stored rows and the lowest and highest seq (0 when empty).</summary>
    public (long Count, long MinSeq, long MaxSeq) Extent()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), IFNULL(MIN(seq), 0), IFNULL(MAX(seq), 0) FROM readings";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>The timestamp of the first stored row after <paramref name="seq"/> (null when there is none): one index seek.</summary>
    public DateTimeOffset? FirstTimestampAfter(long seq)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT ts FROM readings WHERE seq > $seq ORDER BY seq LIMIT 1";
        command.Parameters.AddWithValue("$seq", seq);
        return command.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    /// <summary>Bytes in use inside the file (pages not on the free list).</summary>
    public long UsedBytes()
    {
        var pageSize = Scalar("PRAGMA page_size");
        return (Scalar("PRAGMA page_count") - Scalar("PRAGMA freelist_count")) * pageSize;
    }

    /// <summary>The seq below which rows are deleted when <paramref name="maxBytes"/> is exceeded, estimated from the average row size; 0 when within the cap.</summary>
    public long SeqToKeepUnder(long maxBytes)
    {
        var used = UsedBytes();
        if (used <= maxBytes)
        {
            return 0;
        }

        var (count, min, _) = Extent();
        if (count == 0)
        {
            return 0;
        }

        // Remove the excess plus 10 % headroom, so the cap is not hit again on the next commit.
        var perRow = Math.Max(1.0, used / (double)count);
        var rows = (long)Math.Ceiling(((used - maxBytes) / perRow) + (count * 0.1));
        return min + Math.Min(rows, count) - 1;
    }

    /// <summary>The highest seq with a timestamp before <paramref name="cutoff"/>, or 0.</summary>
    public long LastSeqBefore(DateTimeOffset cutoff)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT IFNULL(MAX(seq), 0) FROM readings WHERE ts < $cutoff";
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The lowest stored seq greater than <paramref name="afterSeq"/>, or 0.</summary>
    public long FirstSeqAfter(long afterSeq)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT IFNULL(MIN(seq), 0) FROM readings WHERE seq > $after";
        command.Parameters.AddWithValue("$after", afterSeq);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Deletes every row with seq ≤ <paramref name="seq"/>; returns how many went.</summary>
    public long DeleteThrough(long seq, Gap? gap = null)
    {
        using var tx = _connection.BeginTransaction();
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "DELETE FROM readings WHERE seq <= $seq";
        command.Parameters.AddWithValue("$seq", seq);
        var deleted = command.ExecuteNonQuery();
        if (gap is not null)
        {
            AddGap(gap, tx);
        }

        tx.Commit();
        return deleted;
    }

    /// <summary>Records a gap on its own (losses that happened before rows reached the database).</summary>
    public void RecordGap(Gap gap)
    {
        using var tx = _connection.BeginTransaction();
        AddGap(gap, tx);
        tx.Commit();
    }

    /// <summary>Every recorded gap, oldest first.</summary>
    public static List<Gap> Gaps(SqliteConnection connection, long afterSeq = 0)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT from_seq, to_seq, reason, ts FROM gaps WHERE to_seq > $after ORDER BY from_seq";
        command.Parameters.AddWithValue("$after", afterSeq);
        using var reader = command.ExecuteReader();
        var gaps = new List<Gap>();
        while (reader.Read())
        {
            gaps.Add(new Gap(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return gaps;
    }

    /// <summary>The writer connection, for reads that must see the latest commit (tests, status).</summary>
    public SqliteConnection Connection => _connection;

    /// <summary>Every cursor: link name → (seq acknowledged through, durable).</summary>
    public Dictionary<string, (long Seq, bool Durable)> Cursors() => Cursors(_connection);

    /// <summary>Every cursor in the database behind <paramref name="connection"/> (also a damaged one being salvaged).</summary>
    public static Dictionary<string, (long Seq, bool Durable)> Cursors(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT link, seq, durable FROM cursors";
        using var reader = command.ExecuteReader();
        var cursors = new Dictionary<string, (long, bool)>(StringComparer.Ordinal);
        while (reader.Read())
        {
            cursors[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2) != 0);
        }

        return cursors;
    }

    /// <summary>Creates or moves a link's cursor.</summary>
    public void SetCursor(string link, long seq, bool durable)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "INSERT INTO cursors (link, seq, durable) VALUES ($link, $seq, $durable) ON CONFLICT (link) DO UPDATE SET seq = excluded.seq, durable = excluded.durable";
        command.Parameters.AddWithValue("$link", link);
        command.Parameters.AddWithValue("$seq", seq);
        command.Parameters.AddWithValue("$durable", durable ? 1 : 0);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
    }

    private long SeriesId(string sensor, string quantity, string unit, SqliteTransaction tx)
    {
        if (_series.TryGetValue((sensor, quantity, unit), out var id))
        {
            return id;
        }

        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO series (sensor, quantity, unit) VALUES ($s, $q, $u) ON CONFLICT DO UPDATE SET unit = excluded.unit RETURNING id";
        command.Parameters.AddWithValue("$s", sensor);
        command.Parameters.AddWithValue("$q", quantity);
        command.Parameters.AddWithValue("$u", unit);
        id = (long)command.ExecuteScalar()!;
        _series[(sensor, quantity, unit)] = id;
        _seriesById[id] = (sensor, quantity, unit);
        return id;
    }

    private void LoadSeries()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, sensor, quantity, unit FROM series";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = (reader.GetString(1), reader.GetString(2), reader.GetString(3));
            _series[key] = reader.GetInt64(0);
            _seriesById[reader.GetInt64(0)] = key;
        }
    }

    private void AddGap(Gap gap, SqliteTransaction tx)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO gaps (from_seq, to_seq, reason, ts) VALUES ($from, $to, $reason, $ts)";
        command.Parameters.AddWithValue("$from", gap.From);
        command.Parameters.AddWithValue("$to", gap.To);
        command.Parameters.AddWithValue("$reason", gap.Reason);
        command.Parameters.AddWithValue("$ts", gap.At.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    }

    private long GetMeta(string key)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() is long value ? value : 0;
    }

    private void SetMeta(string key, long value, SqliteTransaction tx)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
