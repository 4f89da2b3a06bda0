using Gateway.Mqtt.Client;

namespace Gateway.Mqtt;

/// <summary>
/// Publishes whose packets go to the broker in one write when this is disposed (<see cref="MqttClient.HoldWrites"/>).
/// Disposing writes them and ends the batch; on a connection that has since closed it does nothing (the publishes
/// fail as they would have).
/// </summary>
public sealed class MqttWriteBatch : IAsyncDisposable
{
    private MqttConnection? _connection;

    internal MqttWriteBatch(MqttConnection connection) => _connection = connection;

    /// <summary>Writes what was collected and ends the batch.</summary>
    /// <exception cref="MqttCommunicationException">The write failed (the connection is closed).</exception>
    public async ValueTask DisposeAsync()
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is not null)
        {
            await connection.FlushHeldAsync(endHold: true, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
