using Microsoft.Data.Sqlite;

namespace Gateway.Outbox;

/// <summary>
/// A read-only connection to the outbox file beside the single writer (WAL: a read sees every committed batch and
/// never blocks the writer, sqlite.org/wal.html). Reads rows in seq order into a list the caller reuses; a row's
/// series (sensor, quantity, unit) is looked up once and its strings shared by every later row, so a row read costs no
/// allocation but a health change's message. Used by <see cref="OutboxCursor"/>; not thread-safe.
/// </summary>
internal sealed class OutboxReader : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly PreparedStatement _read; // per row: through the C API, no data reader and no checks per column
    private readonly SqliteCommand _series;
    private readonly SqliteParameter _pId;
    private readonly Dictionary<long, (string Sensor, string Quantity, string Unit)> _seriesById = [];

    private OutboxReader(SqliteConnection connection)
    {
        _connection = connection;
        _read = new PreparedStatement(connection, "SELECT seq, ts, series, value, text, kind FROM readings WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        _series = connection.CreateCommand();
        _series.CommandText = "SELECT sensor, quantity, unit FROM series WHERE id = $id";
        _pId = _series.Parameters.Add("$id", SqliteType.Integer);
    }

    /// <summary>Opens the database at <paramref name="path"/> read-only. Throws <see cref="SqliteException"/> when it cannot.</summary>
    public static OutboxReader Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            connection.Open();
            return new OutboxReader(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replaces the contents of <paramref name="into"/> with up to <paramref name="max"/> committed rows with seq greater
    /// than <paramref name="afterSeq"/>, in seq order; returns how many.
    /// </summary>
    public int ReadAfter(long afterSeq, int max, List<StoredRecord> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        into.Clear();
        _read.Bind(1, afterSeq);
        _read.Bind(2, (long)max);
        try
        {
            while (_read.Step())
            {
                var (sensor, quantity, unit) = Series(_read.Int64(2));
                into.Add(new StoredRecord(
                    _read.Int64(0),
                    (RecordKind)_read.Int64(5),
                    DateTimeOffset.FromUnixTimeMilliseconds(_read.Int64(1)),
                    sensor,
                    quantity,
                    _read.Double(3),
                    unit,
                    _read.Text(4)));
            }
        }
        catch
        {
            _read.Reset(); // the next read starts over
            throw;
        }

        return into.Count;
    }

    // A series row never changes once written (OutboxDatabase interns it on first use and never deletes it).
    private (string Sensor, string Quantity, string Unit) Series(long id)
    {
        if (_seriesById.TryGetValue(id, out var series))
        {
            return series;
        }

        _pId.Value = id;
        using var reader = _series.ExecuteReader();
        if (!reader.Read())
        {
            throw new SqliteException($"the outbox row refers to series {id}, which is not in the series table", 11); // SQLITE_CORRUPT
        }

        series = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        _seriesById[id] = series;
        return series;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _read.Dispose();
        _series.Dispose();
        _connection.Dispose();
    }
}
