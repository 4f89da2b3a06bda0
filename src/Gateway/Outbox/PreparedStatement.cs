using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Gateway.Outbox;

/// <summary>
/// One SQL statement prepared once on a connection and run through SQLite's C API (sqlite.org/c3ref/stmt.html):
/// bind by position, step, read columns, reset. For the outbox's per-row statements, where <see cref="SqliteCommand"/> costs a data
/// reader, a statement enumerator and a boxed value per parameter on every row (about 1 KB per stored reading, issue 17
/// item 5). Runs inside whatever transaction the connection has open. Not thread-safe; errors are
/// <see cref="SqliteException"/>s with SQLite's codes, like the rest of the outbox's.
/// </summary>
internal sealed class PreparedStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    /// <summary>Prepares <paramref name="sql"/> on <paramref name="connection"/> (open).</summary>
    public PreparedStatement(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_db, sql, out _stmt), _db);
    }

    /// <summary>Binds a whole number to parameter <paramref name="index"/> (1-based).</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_stmt, index, value));

    /// <summary>Binds a real number to parameter <paramref name="index"/> (1-based).</summary>
    public void Bind(int index, double value) => Check(raw.sqlite3_bind_double(_stmt, index, value));

    /// <summary>Binds text, or NULL when <paramref name="value"/> is null, to parameter <paramref name="index"/> (1-based).</summary>
    public void Bind(int index, string? value) => Check(value is null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_text(_stmt, index, value));

    /// <summary>Runs a statement that returns no rows, then resets it for the next use (its bindings stay until bound again).</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_stmt);
        raw.sqlite3_reset(_stmt);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
            throw new SqliteException($"the statement returned rows ({rc})", rc); // SQLITE_ROW: not a statement for Execute
        }
    }

    /// <summary>
    /// Steps a query: true when a row is ready for the column getters, false when there are no more (the statement is
    /// then reset for the next use). Call <see cref="Reset"/> to stop before the end.
    /// </summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_stmt);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        raw.sqlite3_reset(_stmt);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }

        return false;
    }

    /// <summary>Ends a query early (or after an error): the statement is ready to be bound and stepped again.</summary>
    public void Reset() => raw.sqlite3_reset(_stmt);

    /// <summary>Column <paramref name="column"/> (0-based) of the current row as a whole number.</summary>
    public long Int64(int column) => raw.sqlite3_column_int64(_stmt, column);

    /// <summary>Column <paramref name="column"/> (0-based) of the current row as a real number.</summary>
    public double Double(int column) => raw.sqlite3_column_double(_stmt, column);

    /// <summary>Column <paramref name="column"/> (0-based) of the current row as text, or null when it is NULL.</summary>
    public string? Text(int column) =>
        raw.sqlite3_column_type(_stmt, column) == raw.SQLITE_NULL ? null : raw.sqlite3_column_text(_stmt, column).utf8_to_string();

    /// <inheritdoc/>
    public void Dispose() => _stmt.Dispose();

    private void Check(int rc) => SqliteException.ThrowExceptionForRC(rc, _db);
}
