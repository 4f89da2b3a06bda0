using Gateway.Outbox;
using Microsoft.Data.Sqlite;

namespace Gateway.Tests.Outbox;

/// <summary>The outbox's per-row statements through SQLite's C API: values round-trip, errors carry SQLite's codes, and a failed step leaves the statement usable.</summary>
public sealed class PreparedStatementTests : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:;Pooling=False");

    public PreparedStatementTests()
    {
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (id INTEGER PRIMARY KEY, value REAL NOT NULL, text TEXT)";
        create.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    [Fact]
    public void Bound_values_are_stored_and_read_back_exactly_null_text_included()
    {
        using (var insert = new PreparedStatement(_connection, "INSERT INTO t (id, value, text) VALUES (?1, ?2, ?3)"))
        {
            Insert(insert, long.MaxValue, -0.1 + 0.3, "grüße \u2603");
            Insert(insert, -5, double.Epsilon, null);
        }

        using var select = new PreparedStatement(_connection, "SELECT id, value, text FROM t WHERE id > ?1 ORDER BY id");
        select.Bind(1, long.MinValue);
        Assert.True(select.Step());
        Assert.Equal((-5L, double.Epsilon, (string?)null), (select.Int64(0), select.Double(1), select.Text(2)));
        Assert.True(select.Step());
        Assert.Equal((long.MaxValue, -0.1 + 0.3, "grüße \u2603"), (select.Int64(0), select.Double(1), select.Text(2)));
        Assert.False(select.Step());
    }

    [Fact]
    public void A_constraint_violation_is_a_sqlite_exception_with_its_code_and_the_statement_works_afterwards()
    {
        using var insert = new PreparedStatement(_connection, "INSERT INTO t (id, value, text) VALUES (?1, ?2, ?3)");
        Insert(insert, 1, 1, null);

        var error = Assert.Throws<SqliteException>(() => Insert(insert, 1, 2, null));

        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT (sqlite.org/rescode.html)
        Assert.Contains("UNIQUE", error.Message, StringComparison.Ordinal);
        Insert(insert, 2, 2, null);
        using var count = _connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM t";
        Assert.Equal(2L, count.ExecuteScalar());
    }

    [Fact]
    public void Sql_that_does_not_compile_is_refused_when_prepared()
    {
        var error = Assert.Throws<SqliteException>(() => new PreparedStatement(_connection, "INSERT INTO nowhere VALUES (?1)"));

        Assert.Contains("no such table", error.Message, StringComparison.Ordinal);
    }

    private static void Insert(PreparedStatement insert, long id, double value, string? text)
    {
        insert.Bind(1, id);
        insert.Bind(2, value);
        insert.Bind(3, text);
        insert.Execute();
    }
}
