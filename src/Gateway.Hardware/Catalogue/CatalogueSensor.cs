using Gateway.Hardware.Devices;
using Gateway.Hardware.Sensors;

namespace Gateway.Hardware.Catalogue;

/// <summary>
/// An Iot.Device.Bindings binding as one of the gateway's sensors: created on the first read (upstream constructors
/// talk to the chip: a reset, an id check), read on the thread pool (upstream bindings wait with
/// <see cref="Thread.Sleep(int)"/>), and every failure turned into the <see cref="HardwareException"/> family the
/// sampler's health and backoff understand. A bus error keeps its type (a NACK stays a
/// <see cref="BusNackException"/>) with the chip named; any other upstream exception (4.2.0 throws bare
/// <see cref="Exception"/>, <see cref="IOException"/>, <see cref="InvalidOperationException"/>) becomes a
/// <see cref="HardwareException"/> carrying it. After a failure the binding is disposed and made again on the next
/// read, so a chip that lost power gets its initialisation again.
/// </summary>
/// <typeparam name="TBinding">The upstream binding type.</typeparam>
public sealed class CatalogueSensor<TBinding> : ISensor
    where TBinding : class, IDisposable
{
    private readonly Func<TBinding> _open;
    private readonly Func<TBinding, IReadOnlyList<Measurement>> _read;
    private readonly Lock _lock = new();
    private TBinding? _binding;
    private bool _disposed;

    /// <summary>Creates the sensor; nothing is sent to the chip until the first read.</summary>
    /// <param name="description">The chip and where it is, e.g. <c>MCP9808 at i2c-1@0x18</c>.</param>
    /// <param name="location">Where the chip is, e.g. <c>i2c-1@0x18</c>, for exceptions that do not name a device.</param>
    /// <param name="open">Creates the binding (and the bus device it owns).</param>
    /// <param name="read">Takes one reading with the binding, in SenML units (<see cref="SenmlUnits"/>).</param>
    public CatalogueSensor(string description, string location, Func<TBinding> open, Func<TBinding, IReadOnlyList<Measurement>> read)
    {
        ArgumentException.ThrowIfNullOrEmpty(description);
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(read);
        Description = description;
        Location = location;
        _open = open;
        _read = read;
    }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>Where the chip is, e.g. <c>i2c-1@0x18</c>.</summary>
    public string Location { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// The upstream read blocks a pool thread for its own waits; <paramref name="cancellationToken"/> is checked before
    /// it starts, not during (an upstream read cannot be interrupted; its waits are bounded by the chip's timing).
    /// </remarks>
    public async ValueTask<IReadOnlyList<Measurement>> ReadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await Task.Run(ReadNow, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the binding and its bus device.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            Close();
        }
    }

    private IReadOnlyList<Measurement> ReadNow()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                _binding ??= _open();
                return _read(_binding);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Close();
                throw Map(ex);
            }
        }
    }

    private HardwareException Map(Exception ex) => ex switch
    {
        HardwareException hardware => DeviceErrors.Named(hardware, Description, Location, "reading it through Iot.Device.Bindings"),
        _ => new HardwareException($"{Description}: Iot.Device.Bindings failed: {ex.GetType().Name}: {ex.Message}", Location, null, ex),
    };

    private void Close()
    {
        var binding = _binding;
        _binding = null;
        try
        {
            binding?.Dispose();
        }
        catch (IOException)
        {
            // Disposing an upstream binding only releases its bus device; a bus error then changes nothing.
        }
    }
}
