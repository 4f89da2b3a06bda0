using System.Device.Gpio;
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.FirmwareSim.Tests.Board;

/// <summary>
/// An edge callback that throws, on the simulated board: the exception stays with that callback (caught, counted,
/// reported), the line's other callbacks and its next edges still arrive, and the board's edge pump keeps running.
/// The controlled clock runs the pump's timer on the test's own thread, so an exception that escaped would fail the test.
/// </summary>
public sealed class ThrowingCallbackTests : IDisposable
{
    private readonly FakeTimeProvider _time = SimClock.At();
    private readonly SimulatedBoard _board;

    public ThrowingCallbackTests() => _board = new SimulatedBoard(ScenarioLoader.Default(), _time);

    public void Dispose() => _board.Dispose();

    [Fact]
    public void A_throwing_callback_does_not_stop_the_other_callback_or_the_next_edges()
    {
        using var gpio = _board.OpenGpioChip(0);
        gpio.OpenPin(27, PinMode.InputPullDown); // the flow meter: 7.5 Hz pulses for the first 30 s of each minute
        var thrown = 0;
        var seen = new List<uint>();
        gpio.RegisterCallbackForPinValueChangedEvent(27, PinEventTypes.Rising, (_, _) =>
        {
            thrown++;
            throw new InvalidOperationException("a subscriber's bug");
        });
        gpio.RegisterCallbackForPinValueChangedEvent(27, PinEventTypes.Rising, (_, e) => seen.Add(((GpioLineEventArgs)e).LineSequence));
        var start = _time.GetUtcNow();

        Advance(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10));

        var rises = _board.Environment.Transitions(_board.Scenario.Devices.Single(d => d.Name == "flow"), start, _time.GetUtcNow()).Count(t => t.High);
        Assert.Equal(7, rises); // at k / 7.5 s for k = 1 … 7 (the pulse at 0 s began before the start)
        Assert.Equal(Enumerable.Range(1, rises).Select(i => (uint)i), seen);
        Assert.Equal(rises, thrown);
        Assert.Equal(rises, gpio.GetCallbackFailures(27));
    }

    [Fact]
    public void Failures_are_counted_per_line_and_reported_with_the_line_and_exception_at_the_1st_10th_and_100th()
    {
        using var gpio = _board.OpenGpioChip(0);
        gpio.OpenPin(27, PinMode.InputPullDown);
        var reports = new List<GpioCallbackFailedEventArgs>();
        gpio.CallbackFailed += (_, e) => reports.Add(e);
        gpio.RegisterCallbackForPinValueChangedEvent(27, PinEventTypes.Rising, (_, _) => throw new InvalidOperationException("a subscriber's bug"));

        Advance(TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(10)); // 150 rising edges, each one a failure

        Assert.Equal(150, gpio.GetCallbackFailures(27));
        Assert.Equal(0, gpio.GetCallbackFailures(17));
        Assert.Equal([1L, 10L, 100L], reports.Select(r => r.Failures));
        var first = reports[0];
        Assert.Equal((27, "GPIO27", "simulated gpiochip0"), (first.PinNumber, first.LineName, first.ChipName));
        Assert.Equal("a subscriber's bug", Assert.IsType<InvalidOperationException>(first.Exception).Message);
        Assert.Equal(10, first.NextReportAt);
        Assert.Contains("simulated gpiochip0 line 27 (GPIO27) threw InvalidOperationException: a subscriber's bug", first.Message, StringComparison.Ordinal);
    }

    private void Advance(TimeSpan total, TimeSpan step)
    {
        for (var done = TimeSpan.Zero; done < total; done += step)
        {
            _time.Advance(step);
        }
    }
}
