namespace Gateway.Mqtt.Tests.Client;

/// <summary>Records the client's DisconnectedAsync events for a test to wait on.</summary>
internal sealed class Disconnects
{
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Disconnects(MqttClient client) => client.DisconnectedAsync += args =>
    {
        _first.TrySetResult(args);
        return Task.CompletedTask;
    };

    public Task<MqttClientDisconnectedEventArgs> First => _first.Task.WaitAsync(ScriptedBroker.Patience);
}
