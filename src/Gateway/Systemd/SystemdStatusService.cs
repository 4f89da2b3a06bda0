using Gateway.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Gateway.Systemd;

/// <summary>
/// Keeps systemd's <c>STATUS=</c> line (shown by <c>systemctl status</c>; man sd_notify) in step with the status board.
/// The board's phase (Running, Stopping) is moved by <see cref="StatusPhaseService"/>, under systemd or not. READY=1 and
/// STOPPING=1 themselves are sent by the package's <see cref="SystemdLifetime"/>, registered by
/// <see cref="SystemdRegistration.AddSystemdNotify"/>.
/// </summary>
internal sealed class SystemdStatusService : IHostedService, IDisposable
{
    private readonly ISystemdNotifier _notifier;
    private readonly StatusBoard _status;

    /// <summary>Creates the service.</summary>
    public SystemdStatusService(ISystemdNotifier notifier, StatusBoard status)
    {
        _notifier = notifier;
        _status = status;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_notifier.IsEnabled)
        {
            return Task.CompletedTask;
        }

        _status.Changed += OnStatusChanged;
        _notifier.Notify(ServiceStates.Status(_status.Line));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public void Dispose() => _status.Changed -= OnStatusChanged;

    private void OnStatusChanged(string line) => _notifier.Notify(ServiceStates.Status(line));
}
