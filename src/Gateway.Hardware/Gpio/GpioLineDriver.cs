using System.Device.Gpio;

namespace Gateway.Hardware.Gpio;

/// <summary>
/// The base of the gateway's GPIO drivers (Linux uAPI v2, the simulator, a firmware-sim process): a System.Device.Gpio
/// <see cref="GpioDriver"/> with <see cref="IGpioLineFeatures"/>, and <see cref="WaitForEvent"/> served by the driver's
/// own edge callbacks, so each driver has one way of reporting edges.
/// </summary>
public abstract class GpioLineDriver : GpioDriver, IGpioLineFeatures
{
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

    /// <inheritdoc/>
    void IGpioLineFeatures.SetPinMode(int pinNumber, PinMode mode, PinValue initialValue) => SetPinMode(pinNumber, mode, initialValue);

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
