using System.Device.Gpio;

namespace Gateway.Hardware.Gpio;

/// <summary>
/// The base of the gateway's GPIO drivers (Linux uAPI v2, the simulator, a firmware-sim process): a System.Device.Gpio
/// <see cref="GpioDriver"/> with <see cref="IGpioLineFeatures"/>, and <see cref="WaitForEvent"/> served by the driver's
/// own edge callbacks, so each driver has one way of reporting edges.
/// <para>
/// <b>A callback that throws.</b> Every driver calls each edge callback through <see cref="InvokeCallback"/>: an
/// exception is caught for that callback alone, counted per line (<see cref="GetCallbackFailures"/>) and reported
/// through <see cref="CallbackFailed"/> at the line's 1st, 10th, 100th … failure (to standard error when nobody
/// handles the event); the line's other callbacks, its later edges, the driver's event thread and a firmware-sim
/// connection carry on. System.Device.Gpio's own drivers let such an exception end the process (it escapes their event
/// thread); ours do not, because one subscriber's bug — a <c>DigitalInput.Changed</c> handler, a user's binding —
/// must not stop a gateway whose other sensors and links are fine, nor silence the other subscribers of the line.
/// </para>
/// </summary>
public abstract class GpioLineDriver : GpioDriver, IGpioLineFeatures
{
    private readonly GpioCallbackFailures _failures = new();

    /// <summary>
    /// Creates the driver without the finalizer System.Device.Gpio's <see cref="GpioDriver"/> declares: our drivers are
    /// disposed by their owners (the controller, the board). The finalizer called <c>Dispose(false)</c> on drivers whose
    /// constructor had thrown, which dereferenced parts never made (a NullReferenceException on the finalizer thread
    /// ends the process) and closed descriptor numbers already closed and perhaps reused by another file.
    /// </summary>
#pragma warning disable CA1816 // deliberate: the finalizer is turned off at construction, not in Dispose (see above)
    protected GpioLineDriver() => GC.SuppressFinalize(this);
#pragma warning restore CA1816

    /// <inheritdoc/>
    public abstract string ChipName { get; }

    /// <inheritdoc/>
    public abstract string? GetLineName(int pinNumber);

    /// <inheritdoc/>
    public abstract void SetDebounce(int pinNumber, TimeSpan period);

    /// <summary>
    /// Raised on the driver's event thread when an edge callback threw, at the 1st, 10th, 100th … failure of each line
    /// (the ones in between are only counted). Handlers should log and return; an exception from one is not caught.
    /// With no handler the report goes to standard error.
    /// </summary>
    public event EventHandler<GpioCallbackFailedEventArgs>? CallbackFailed;

    /// <summary>How many times edge callbacks on line <paramref name="pinNumber"/> have thrown since the driver was created.</summary>
    public long GetCallbackFailures(int pinNumber) => _failures.Count(pinNumber);

    /// <inheritdoc/>
    void IGpioLineFeatures.SetPinMode(int pinNumber, PinMode mode, PinValue initialValue) => SetPinMode(pinNumber, mode, initialValue);

    /// <summary>
    /// Calls one edge callback with this driver as the sender. An exception it throws is caught, counted against the
    /// edge's line and reported (see <see cref="CallbackFailed"/>), so the caller goes on to the next callback and edge.
    /// </summary>
    /// <param name="callback">A registered callback.</param>
    /// <param name="args">The edge.</param>
    protected void InvokeCallback(PinChangeEventHandler callback, PinValueChangedEventArgs args)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            callback(this, args);
        }
#pragma warning disable CA1031 // deliberate: any exception of a subscriber's code stays with that subscriber (see the class remarks)
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var failures = _failures.Record(args.PinNumber);
            if (GpioCallbackFailures.IsReported(failures))
            {
                Report(new GpioCallbackFailedEventArgs(ChipName, args.PinNumber, LineNameOrNull(args.PinNumber), ex, failures));
            }
        }
    }

    private void Report(GpioCallbackFailedEventArgs failure)
    {
        var handler = CallbackFailed;
        if (handler is null)
        {
            Console.Error.WriteLine($"GPIO: {failure.Message}");
            return;
        }

        handler(this, failure);
    }

    private string? LineNameOrNull(int pinNumber)
    {
        try
        {
            return GetLineName(pinNumber);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Registers a callback for <paramref name="eventTypes"/>, waits for the first such edge or the cancellation
    /// (then <see cref="WaitForEventResult.TimedOut"/> is set), and unregisters it.
    /// </remarks>
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        // A task, not an event: a driver may call a callback once more after it was removed (it copies the list
        // before calling), and completing a finished task is harmless where setting a disposed event is not.
        var edge = new TaskCompletionSource<PinEventTypes>(TaskCreationOptions.RunContinuationsAsynchronously);
        PinChangeEventHandler handler = (_, e) =>
        {
            if ((e.ChangeType & eventTypes) != 0)
            {
                edge.TrySetResult(e.ChangeType);
            }
        };
        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, handler);
        try
        {
            edge.Task.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = edge.Task.Result, TimedOut = false };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, handler);
        }
    }
}
