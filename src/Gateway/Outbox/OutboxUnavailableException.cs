using Microsoft.Data.Sqlite;

namespace Gateway.Outbox;

/// <summary>
/// The outbox file cannot be opened for writing for a reason that is not damage to the file — a read-only disk or
/// folder, no permission — so it is left exactly as it is and the gateway does not start (exit 73, README.md "Exit codes").
/// </summary>
internal sealed class OutboxUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutboxUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OutboxUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public OutboxUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The outbox at <paramref name="path"/> could not be opened for writing, for the reason SQLite gave.</summary>
    public OutboxUnavailableException(string path, SqliteException cause)
        : base($"Outbox {path} cannot be opened for writing (SQLite error {cause?.SqliteErrorCode}: {cause?.Message}); the file is left as it is: make its folder writable", cause)
    {
    }
}
