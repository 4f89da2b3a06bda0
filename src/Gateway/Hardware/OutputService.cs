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

    /// <summary>Creates the service.</summary>
    public OutputService(GatewayOptions options, SensorFactory hardware, ILogger<OutputService> logger)
    {
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
        foreach (var output in _outputs.Values)
        {
            output.Dispose(); // drives the safe state, then releases the line
        }

        _outputs.Clear();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Output {Name}: {Description}, safe state {Safe}")]
    private static partial void LogOpened(ILogger logger, string name, string description, string safe);

    [LoggerMessage(Level = LogLevel.Error, Message = "Output {Name} on {Pin} is unavailable: {Error}")]
    private static partial void LogUnavailable(ILogger logger, string name, string pin, string error);
}
