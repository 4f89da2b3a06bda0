using System.Globalization;
using Gateway.Health;
using Gateway.Status;
using Microsoft.Extensions.Hosting;

namespace Gateway.Outbox;

/// <summary>
/// Hosts the <see cref="Outbox"/>: opens it before the sampler starts, commits everything pending after the
/// sampler has stopped (hosted services stop in reverse order), and shows its figures on the status board.
/// </summary>
internal sealed class OutboxService : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan StatusPeriod = TimeSpan.FromSeconds(5);

    private readonly Outbox _outbox;
    private readonly StatusBoard _status;
    private readonly HeartbeatRegistry _heartbeats;
    private readonly TimeProvider _time;
    private ITimer? _timer;
    private Heartbeat? _heartbeat;

    /// <summary>Creates the service.</summary>
    public OutboxService(Outbox outbox, StatusBoard status, HeartbeatRegistry heartbeats, TimeProvider time)
    {
        _outbox = outbox;
        _status = status;
        _heartbeats = heartbeats;
        _time = time;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _outbox.Start();
        _heartbeat = _heartbeats.Register("outbox");
        _outbox.Heartbeat = _heartbeat;
        UpdateStatus();
        _timer = _time.CreateTimer(_ => UpdateStatus(), null, StatusPeriod, StatusPeriod);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _outbox.DisposeAsync().ConfigureAwait(false);
        _heartbeat?.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _outbox.DisposeAsync().ConfigureAwait(false);
    }

    private void UpdateStatus()
    {
        var f = _outbox.Figures;
        var text = string.Create(CultureInfo.InvariantCulture, $"outbox {f.Stored} stored");
        if (f.Dropped > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {f.Dropped} dropped in {f.Gaps} gap(s)");
        }

        if (f.DiskTrouble)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", CANNOT STORE ({f.Pending} held in memory)");
        }

        _status.SetFact("outbox", text);
    }
}
