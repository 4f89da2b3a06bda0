using Gateway.Outbox;
using Gateway.Sampling;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Outbox;

/// <summary>Outbox files written before health changes had their own kind (schema 1) open and deliver their rows unchanged.</summary>
public sealed class OutboxSchemaTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-schema-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string DbPath => Path.Combine(_dir, "gateway.db");

    private OutboxStore Open()
    {
        var outbox = new OutboxStore(new OutboxOptions { Path = DbPath, CommitInterval = TimeSpan.FromMilliseconds(20) }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        outbox.Start();
        return outbox;
    }

    private SqliteConnection Raw()
    {
        var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        connection.Open();
        return connection;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // The file as the gateway wrote it before schema 2 (OutboxDatabase at 6472c77): no kind column, no schema version.
    // Seq 1 a reading; 2 a health change (quantity 'health', message in text); 3 an ADS1115 channel called 'health'.
    private void WriteSchema1File()
    {
        using var db = Raw();
        var ms = T0.ToUnixTimeMilliseconds();
        Execute(db, $"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE series (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, quantity TEXT NOT NULL, unit TEXT NOT NULL, UNIQUE (sensor, quantity, unit));
            CREATE TABLE readings (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, series INTEGER NOT NULL, value REAL NOT NULL, text TEXT);
            CREATE TABLE cursors (link TEXT PRIMARY KEY, seq INTEGER NOT NULL, durable INTEGER NOT NULL);
            CREATE TABLE gaps (from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL, reason TEXT NOT NULL, ts INTEGER NOT NULL);
            CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            INSERT INTO series (id, sensor, quantity, unit) VALUES (1, 'env', 'temperature', 'Cel'), (2, 'env', 'health', ''), (3, 'analog', 'health', 'V');
            INSERT INTO readings (seq, ts, series, value, text) VALUES
                (1, {ms}, 1, 21.5, NULL),
                (2, {ms + 1}, 2, 2, 'failed: NACK at 0x76'),
                (3, {ms + 2}, 3, 3.9, NULL);
            INSERT INTO cursors (link, seq, durable) VALUES ('tcp', 0, 1);
            INSERT INTO meta (key, value) VALUES ('last_seq', 3);
            """);
    }

    [Fact]
    public async Task A_schema_1_file_opens_and_delivers_its_rows_unchanged_with_its_health_changes_as_health_records()
    {
        WriteSchema1File();

        await using var outbox = Open();
        using var cursor = outbox.OpenCursor("tcp", durable: true);
        var rows = new List<StoredRecord>();
        Assert.Equal(3, cursor.TryRead(rows, 100));

        Assert.Equal(StoredRecord.Reading(1, T0, "env", "temperature", 21.5, "Cel"), rows[0]);
        Assert.Equal(new StoredRecord(2, RecordKind.Health, T0.AddMilliseconds(1), "env", "health", 2, string.Empty, "failed: NACK at 0x76"), rows[1]);
        Assert.Equal(StoredRecord.Reading(3, T0.AddMilliseconds(2), "analog", "health", 3.9, "V"), rows[2]);

        // It goes on as a schema 2 file: numbering continues, the series are reused.
        outbox.Accept(new SampledReading("analog", "health", 3.8, "V", T0.AddSeconds(1)));
        outbox.AcceptHealth(new HealthChange("env", HealthState.Ok, "recovered"), T0.AddSeconds(1));
        await outbox.WaitForCommitAsync(4, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(2, cursor.TryRead(rows, 100));
        Assert.Equal((4L, RecordKind.Reading, 5L, RecordKind.Health), (rows[0].Seq, rows[0].Kind, rows[1].Seq, rows[1].Kind));

        using var db = Raw();
        Assert.Equal(OutboxSchema.Version, Scalar(db, "SELECT value FROM meta WHERE key = 'schema'"));
        Assert.Equal(3, Scalar(db, "SELECT COUNT(*) FROM series"));
    }

    [Fact]
    public async Task The_migration_runs_once_under_the_schema_version()
    {
        WriteSchema1File();
        await Open().DisposeAsync(); // migrates

        // A row that looks like a schema 1 health change but says it is a reading: a second start must not re-mark it.
        using (var db = Raw())
        {
            Execute(db, $"INSERT INTO readings (seq, ts, series, value, text, kind) VALUES (4, {T0.ToUnixTimeMilliseconds()}, 2, 0, 'not a health change', 0)");
        }

        await using var outbox = Open();
        using var cursor = outbox.OpenCursor("tcp", durable: true);
        var rows = new List<StoredRecord>();
        cursor.TryRead(rows, 100);

        Assert.Equal([RecordKind.Reading, RecordKind.Health, RecordKind.Reading, RecordKind.Reading], rows.Select(r => r.Kind));
    }

    [Fact]
    public async Task A_fresh_file_is_created_at_the_current_schema_version_with_the_kind_column()
    {
        await Open().DisposeAsync();

        using var db = Raw();
        Assert.Equal(OutboxSchema.Version, Scalar(db, "SELECT value FROM meta WHERE key = 'schema'"));
        Assert.Equal(1, Scalar(db, "SELECT COUNT(*) FROM pragma_table_info('readings') WHERE name = 'kind'"));
    }
}
