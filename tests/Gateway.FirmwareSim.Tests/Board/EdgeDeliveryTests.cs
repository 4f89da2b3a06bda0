using System.Device.Gpio;
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware.Devices.DigitalInput;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.FirmwareSim.Tests.Board;

/// <summary>
/// When the simulated board wakes to deliver input edges: at each edge someone listens for, and never otherwise. An idle
/// gateway on the simulated board must not pay for a polling loop (issue 15: idle CPU ≤ 0.5 % of a core).
/// </summary>
public sealed class EdgeDeliveryTests : IDisposable
{
    private readonly FakeTimeProvider _fake = SimClock.At();
    private readonly CountingClock _time;
    private readonly SimulatedBoard _board;

    public EdgeDeliveryTests()
    {
        _time = new CountingClock(_fake);
        _board = new SimulatedBoard(ScenarioLoader.Default(), _time);
    }

    public void Dispose() => _board.Dispose();

    [Fact]
    public void The_board_never_wakes_while_nobody_listens_for_edges()
    {
        using var gpio = _board.OpenGpioChip(0);
        gpio.OpenPin(27, PinMode.InputPullDown); // open, but no edge callback

        Advance(TimeSpan.FromSeconds(60), step: TimeSpan.FromMilliseconds(10));

        Assert.Equal(0, _time.TimerCallbacks);
    }

    [Fact]
    public void The_board_wakes_once_per_edge_it_delivers()
    {
        using var gpio = _board.OpenGpioChip(0);
        using var flow = new DigitalInput(gpio, 27, PinMode.InputPullDown, TimeSpan.FromMilliseconds(1), PinEventTypes.Rising, _time);
        using var door = new DigitalInput(gpio, 17, PinMode.InputPullUp, TimeSpan.FromMilliseconds(20), PinEventTypes.Rising | PinEventTypes.Falling, _time);
        var start = _time.GetUtcNow();

        Advance(TimeSpan.FromSeconds(100), step: TimeSpan.FromMilliseconds(10));

        // What the environment did in those 100 s: the flow meter pulses at 7.5 Hz for the first 30 s of each minute,
        // the door opens at 75 s and closes at 90 s of every 90.
        var end = _time.GetUtcNow();
        var rises = _board.Environment.Transitions(Spec("flow"), start, end).Count(t => t.High);
        var doorEdges = _board.Environment.Transitions(Spec("door"), start, end).Count();
        Assert.Equal(449, rises); // 224 in the first minute (the pulse at 0 s began before the start), 225 from 60 s
        Assert.Equal(2, doorEdges);
        Assert.Equal(rises, flow.Count);
        Assert.Equal(doorEdges, door.Count);
        Assert.Equal(0, flow.DroppedEdges);
        Assert.InRange(_time.TimerCallbacks, rises + doorEdges, rises + doorEdges + 2); // the falling pulse edges cost nothing
    }

    [Fact]
    public void An_edge_is_delivered_when_it_happens_not_on_the_next_tick_of_a_poll()
    {
        using var gpio = _board.OpenGpioChip(0);
        using var flow = new DigitalInput(gpio, 27, PinMode.InputPullDown, TimeSpan.FromMilliseconds(1), PinEventTypes.Rising, _time);
        var delivered = new List<(long Ns, DateTimeOffset At)>();
        flow.Changed += (_, e) => delivered.Add((e.TimestampNanoseconds, _time.GetUtcNow()));

        // The first rising edge after the start is the second pulse's, at 2/15 s = 133.33 ms (7.5 Hz, half high).
        Advance(TimeSpan.FromMilliseconds(133), step: TimeSpan.FromMilliseconds(1));
        Assert.Empty(delivered);
        Advance(TimeSpan.FromMilliseconds(1), step: TimeSpan.FromMilliseconds(1));

        var edge = Assert.Single(delivered);
        Assert.Equal(133_333_300, edge.Ns); // the environment's instant (100 ns ticks), whenever it is delivered
        Assert.Equal(SimClock.Noon + TimeSpan.FromMilliseconds(134), edge.At);
    }

    [Fact]
    public void A_line_subscribed_after_a_quiet_spell_gets_only_the_edges_after_it_subscribed()
    {
        Advance(TimeSpan.FromSeconds(5), step: TimeSpan.FromSeconds(1));
        using var gpio = _board.OpenGpioChip(0);
        using var flow = new DigitalInput(gpio, 27, PinMode.InputPullDown, TimeSpan.FromMilliseconds(1), PinEventTypes.Rising, _time);

        Advance(TimeSpan.FromSeconds(1), step: TimeSpan.FromMilliseconds(10));

        Assert.Equal(8, flow.Count); // the rising edges at k / 7.5 s for k = 38 … 45 (5.07 … 6 s), none of the 37 before
        Assert.Equal(0, flow.DroppedEdges);
    }

    [Fact]
    public void Each_callback_gets_only_the_edge_kinds_it_asked_for()
    {
        using var gpio = _board.OpenGpioChip(0);
        gpio.OpenPin(27, PinMode.InputPullDown);
        var rising = new List<PinEventTypes>();
        var falling = new List<PinEventTypes>();
        PinChangeEventHandler onRising = (_, e) => rising.Add(e.ChangeType);
        gpio.RegisterCallbackForPinValueChangedEvent(27, PinEventTypes.Rising, onRising);
        gpio.RegisterCallbackForPinValueChangedEvent(27, PinEventTypes.Falling, (_, e) => falling.Add(e.ChangeType));
        var start = _time.GetUtcNow();

        Advance(TimeSpan.FromSeconds(1), step: TimeSpan.FromMilliseconds(10));
        gpio.UnregisterCallbackForPinValueChangedEvent(27, onRising);
        Advance(TimeSpan.FromSeconds(1), step: TimeSpan.FromMilliseconds(10));

        var middle = start + TimeSpan.FromSeconds(1);
        var firstSecond = _board.Environment.Transitions(Spec("flow"), start, middle).ToList();
        var all = _board.Environment.Transitions(Spec("flow"), start, _time.GetUtcNow()).ToList();
        Assert.Equal(Enumerable.Repeat(PinEventTypes.Rising, firstSecond.Count(t => t.High)), rising);
        Assert.Equal(Enumerable.Repeat(PinEventTypes.Falling, all.Count(t => !t.High)), falling);
    }

    private DeviceSpec Spec(string name) => _board.Scenario.Devices.Single(d => d.Name == name);

    private void Advance(TimeSpan total, TimeSpan step)
    {
        for (var done = TimeSpan.Zero; done < total; done += step)
        {
            _fake.Advance(step);
        }
    }
}
