using Gateway.Configuration;
using Gateway.Hardware.Devices.DigitalOutput;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Hardware;

/// <summary>
/// The named outputs (relays, LEDs): opened in their safe state when the gateway starts, driven back to it when the
/// gateway stops. An output that cannot be opened (line busy, chip missing) is logged and left out; the rest work.
/// </summary>
internal sealed partial class OutputService : IHostedService
{
    private readonly GatewayOptions _options;
    private readonly SensorFactory _hardware;
    private readonly ILogger<OutputService> _logger;
    private readonly Dictionary<string, DigitalOutput> _outputs = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, CancellationTokenSource> _reverts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    public OutputService(GatewayOptions options, SensorFactory hardware, TimeProvider time, ILogger<OutputService> logger)
    {
        _time = time;
        _options = options;
        _hardware = hardware;
        _logger = logger;
    }

    /// <summary>The outputs that are open, by name.</summary>
    public IReadOnlyDictionary<string, DigitalOutput> Outputs => _outputs;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var o in _options.Outputs)
        {
            try
            {
                var gpio = _hardware.Gpio(o.Chip);
                var output = new DigitalOutput(o.Id, gpio, gpio.ResolvePin(o.Pin), o.ActiveLow, o.SafeOn);
                _outputs[o.Id] = output;
                LogOpened(_logger, o.Id, output.Description, o.SafeOn ? "on" : "off");
            }
            catch (Exception ex) when (ex is HardwareException or ArgumentException or InvalidOperationException)
            {
                LogUnavailable(_logger, o.Id, o.Pin, ex.Message);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var revert in _reverts.Values)
            {
                revert.Cancel();
                revert.Dispose();
            }

            _reverts.Clear();
            foreach (var output in _outputs.Values)
            {
                output.Dispose(); // drives the safe state, then releases the line
            }

            _outputs.Clear();
        }

        return Task.CompletedTask;
    }

    /// <summary>The configured output names, whether open or not.</summary>
    public IEnumerable<string> Configured => _options.Outputs.Select(o => o.Id);

    /// <summary>Whether output <paramref name="name"/> is on.</summary>
    /// <exception cref="KeyNotFoundException">No such output is open.</exception>
    public bool IsOn(string name)
    {
        lock (_lock)
        {
            return Find(name).IsOn;
        }
    }

    /// <summary>
    /// Switches output <paramref name="name"/> on or off; with <paramref name="duration"/>, back to the state it had
    /// before once the duration has passed (unless it was set again meanwhile). Returns the state it had before.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such output is open.</exception>
    public bool Set(string name, bool on, TimeSpan? duration)
    {
        lock (_lock)
        {
            var output = Find(name);
            var before = output.IsOn;
            if (_reverts.Remove(name, out var pending))
            {
                pending.Cancel(); // a newer command wins over an earlier "for"
                pending.Dispose();
            }

            output.Set(on);
            if (duration is { } d)
            {
                LogSetFor(_logger, output.Name, on ? "on" : "off", d.TotalSeconds, before ? "on" : "off");
                var revert = new CancellationTokenSource();
                _reverts[name] = revert;
                _ = RevertAfter(name, before, d, revert);
            }

            else
            {
                LogSet(_logger, output.Name, on ? "on" : "off");
            }

            return before;
        }
    }

    private async Task RevertAfter(string name, bool state, TimeSpan after, CancellationTokenSource revert)
    {
        try
        {
            await Task.Delay(after, _time, revert.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_lock)
        {
            if (!_reverts.TryGetValue(name, out var current) || current != revert || !_outputs.TryGetValue(name, out var output))
            {
                return;
            }

            _reverts.Remove(name);
            revert.Dispose();
            try
            {
                output.Set(state);
                LogReverted(_logger, output.Name, state ? "on" : "off");
            }
            catch (Exception ex) when (ex is HardwareException or ObjectDisposedException)
            {
                LogRevertFailed(_logger, output.Name, ex.Message);
            }
        }
    }

    private DigitalOutput Find(string name) =>
        _outputs.TryGetValue(name, out var output)
            ? output
            : throw new KeyNotFoundException(_options.Outputs.Any(o => string.Equals(o.Id, name, StringComparison.OrdinalIgnoreCase))
                ? $"output '{name}' is configured but unavailable (see the log from start)"
                : $"no output '{name}'; configured: {string.Join(", ", _options.Outputs.Select(o => o.Id))}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Output {Name} set {State}")]
    private static partial void LogSet(ILogger logger, string name, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Output {Name} set {State} for {Seconds}s, then back {Before}")]
    private static partial void LogSetFor(ILogger logger, string name, string state, double seconds, string before);

    [LoggerMessage(Level = LogLevel.Information, Message = "Output {Name} back {State} after its set duration")]
    private static partial void LogReverted(ILogger logger, string name, string state);

    [LoggerMessage(Level = LogLevel.Error, Message = "Output {Name} could not be switched back: {Error}")]
    private static partial void LogRevertFailed(ILogger logger, string name, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Output {Name}: {Description}, safe state {Safe}")]
    private static partial void LogOpened(ILogger logger, string name, string description, string safe);

    [LoggerMessage(Level = LogLevel.Error, Message = "Output {Name} on {Pin} is unavailable: {Error}")]
    private static partial void LogUnavailable(ILogger logger, string name, string pin, string error);
}
