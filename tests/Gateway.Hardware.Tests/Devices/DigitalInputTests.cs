using System.Device.Gpio;
using Gateway.Hardware.Devices.DigitalInput;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Sensors;
using Gateway.Hardware.Tests.Devices.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Hardware.Tests.Devices;

/// <summary>The digital input binding against a fake GPIO driver that raises edges with kernel timestamps and sequence numbers.</summary>
public sealed class DigitalInputTests : IDisposable
{
    private const long Ms = 1_000_000;
    private readonly FakeTimeProvider _time = Clock.Start();
    private readonly FakeGpioDriver _driver = new();
    private readonly GpioChipController _gpio;

    public DigitalInputTests() => _gpio = new GpioChipController(_driver);

    public void Dispose() => _gpio.Dispose();

    private DigitalInput Open(PinEventTypes edges = PinEventTypes.Rising, int debounceMs = 5, PinMode mode = PinMode.InputPullUp)
        => new(_gpio, 17, mode, TimeSpan.FromMilliseconds(debounceMs), edges, _time);

    private static double Value(IReadOnlyList<Measurement> m, string quantity) => m.Single(x => x.Quantity == quantity).Value;

    [Fact]
    public void The_line_is_opened_with_its_pull_then_debounced_then_watched_for_the_configured_edges()
    {
        using var input = Open(PinEventTypes.Falling, debounceMs: 20);

        Assert.Equal(["open 17", "mode 17 InputPullUp", "debounce 17 20ms", "edges 17 Falling"], _driver.Calls);
        Assert.Equal("digital input at gpiochip-fake line 17", input.Description);
    }

    [Fact]
    public void Without_a_debounce_period_none_is_set()
    {
        using var input = Open(debounceMs: 0, mode: PinMode.Input);
        Assert.Equal(["open 17", "mode 17 Input", "edges 17 Rising"], _driver.Calls);
    }

    [Fact]
    public void An_output_mode_or_a_negative_debounce_is_refused_before_the_line_is_touched()
    {
        Assert.Throws<ArgumentException>(() => Open(mode: PinMode.Output));
        Assert.Throws<ArgumentOutOfRangeException>(() => Open(debounceMs: -1));
        Assert.Empty(_driver.Calls);
    }

    [Fact]
    public void Only_edges_of_the_configured_kind_are_counted_and_announced()
    {
        using var input = Open(PinEventTypes.Rising | PinEventTypes.Falling);
        var heard = new List<DigitalInputChangedEventArgs>();
        input.Changed += (_, e) => heard.Add(e);

        _driver.Raise(17, PinEventTypes.Rising, 10 * Ms, 1);
        _driver.Raise(17, PinEventTypes.Falling, 20 * Ms, 2);

        Assert.Equal(2, input.Count);
        Assert.Equal([PinEventTypes.Rising, PinEventTypes.Falling], heard.Select(e => e.ChangeType));
        Assert.Equal([true, false], heard.Select(e => e.IsHigh));
        Assert.Equal([1L, 2L], heard.Select(e => e.Count));
        Assert.Equal([10 * Ms, 20 * Ms], heard.Select(e => e.TimestampNanoseconds));
    }

    [Fact]
    public void A_rising_edge_counter_ignores_falling_edges_a_driver_passes_on_and_sees_no_loss_in_their_sequence_numbers()
    {
        _driver.FilterByKind = false; // every event of the line reaches the callback; line_seqno numbers them all
        using var input = Open(PinEventTypes.Rising);
        var heard = 0;
        input.Changed += (_, _) => heard++;

        _driver.Raise(17, PinEventTypes.Rising, 1 * Ms, 1);
        _driver.Raise(17, PinEventTypes.Falling, 2 * Ms, 2);
        _driver.Raise(17, PinEventTypes.Rising, 3 * Ms, 3);

        Assert.Equal(2, input.Count);
        Assert.Equal(2, heard);
        Assert.Equal(0, input.DroppedEdges);
    }

    [Fact]
    public void Gaps_in_the_kernels_sequence_numbers_are_counted_as_dropped_edges()
    {
        using var input = Open();

        _driver.Raise(17, PinEventTypes.Rising, 1 * Ms, 1);
        _driver.Raise(17, PinEventTypes.Rising, 2 * Ms, 2);
        _driver.Raise(17, PinEventTypes.Rising, 5 * Ms, 5); // 3 and 4 were lost
        _driver.Raise(17, PinEventTypes.Rising, 9 * Ms, 9); // 6, 7, 8 too

        Assert.Equal(4, input.Count);
        Assert.Equal(5, input.DroppedEdges);
    }

    [Fact]
    public void A_sequence_that_starts_again_from_one_is_a_new_request_not_a_loss()
    {
        using var input = Open();
        _driver.Raise(17, PinEventTypes.Rising, 1 * Ms, 7);
        _driver.Raise(17, PinEventTypes.Rising, 2 * Ms, 1);
        _driver.Raise(17, PinEventTypes.Rising, 3 * Ms, 2);

        Assert.Equal(0, input.DroppedEdges);
    }

    [Fact]
    public async Task A_read_reports_state_count_and_the_rate_from_kernel_timestamps()
    {
        using var input = Open();
        for (uint i = 0; i < 11; i++)
        {
            _driver.Raise(17, PinEventTypes.Rising, 1000 * Ms + (i * 100 * Ms), i + 1); // 10 Hz for one second
        }

        _time.Advance(TimeSpan.FromSeconds(5)); // the reader's window is longer: the rate comes from the edges
        var m = await input.ReadAsync(CancellationToken.None);

        Assert.Equal(1, Value(m, "state"));
        Assert.Equal(11, Value(m, "count"));
        Assert.Equal(10.0, Value(m, "rate"), 9);
        Assert.Equal([Units.None, Units.Count, Units.Hertz], m.Select(x => x.Unit));

        _time.Advance(TimeSpan.FromSeconds(5));
        m = await input.ReadAsync(CancellationToken.None);
        Assert.Equal(0, Value(m, "rate"));
        Assert.Equal(11, Value(m, "count"));
    }

    [Fact]
    public async Task The_state_is_the_lines_level()
    {
        using var input = Open(PinEventTypes.Rising | PinEventTypes.Falling);
        _driver.Levels[17] = PinValue.Low;
        Assert.Equal(0, Value(await input.ReadAsync(CancellationToken.None), "state"));
        _driver.Raise(17, PinEventTypes.Rising, Ms, 1);
        Assert.True(input.IsHigh);
        Assert.Equal(1, Value(await input.ReadAsync(CancellationToken.None), "state"));
    }

    [Fact]
    public void Disposing_stops_counting_and_releases_the_line_once()
    {
        var input = Open();
        input.Dispose();
        input.Dispose();

        Assert.Equal(["unsubscribe 17", "close 17"], _driver.Calls.Skip(4));
        Assert.False(_gpio.IsPinOpen(17));
        _gpio.OpenPin(17, PinMode.Input); // free for the next user
    }

    [Fact]
    public void A_second_input_on_a_line_already_open_in_the_controller_is_refused_without_touching_it()
    {
        using var first = Open();
        var calls = _driver.Calls.Count;

        // GpioController.OpenPin would quietly reconfigure the line under the first input.
        var ex = Assert.Throws<InvalidOperationException>(() => Open(mode: PinMode.Input));

        Assert.Contains("already open", ex.Message, StringComparison.Ordinal);
        Assert.Equal(calls, _driver.Calls.Count);
    }

    [Fact]
    public void A_line_held_by_another_user_is_busy()
    {
        _driver.Busy.Add(17);
        Assert.Throws<DeviceBusyException>(() => Open());
    }

    [Fact]
    public void When_edges_cannot_be_watched_the_line_is_released_again()
    {
        _driver.SubscribeFault = new HardwareException("edge detection not supported", "gpiochip-fake line 17");

        Assert.Throws<HardwareException>(() => Open());

        Assert.False(_gpio.IsPinOpen(17));
        Assert.Equal("close 17", _driver.Calls[^1]);
    }
}
