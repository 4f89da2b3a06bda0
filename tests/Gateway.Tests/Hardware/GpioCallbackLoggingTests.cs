using System.Device.Gpio;
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;
using Gateway.Hardware;
using Gateway.Tests.Links;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Hardware;

/// <summary>
/// The gateway's side of a throwing edge callback: the driver catches it, <see cref="SensorFactory"/> logs it as an error
/// naming the line, with the exception, at the line's 1st, 10th, 100th … failure. The simulated board runs on a
/// controlled clock, so its edge pump runs on the test's thread.
/// </summary>
public sealed class GpioCallbackLoggingTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 21, 12, 0, 0, TimeSpan.Zero)) { AutoAdvanceAmount = TimeSpan.Zero };
    private readonly SimulatedBoard _board;
    private readonly Recording _log = new();
    private readonly SensorFactory _factory;

    public GpioCallbackLoggingTests()
    {
        _board = new SimulatedBoard(ScenarioLoader.Default(), _time);
        _factory = new SensorFactory(_board, _time, _log);
    }

    public void Dispose()
    {
        _factory.Dispose();
        _board.Dispose();
    }

    [Fact]
    public void A_throwing_callback_is_logged_as_an_error_with_its_line_and_exception_at_the_1st_and_10th_failure_only()
    {
        var gpio = _factory.Gpio(0);
        gpio.OpenPin(27, PinMode.InputPullDown); // the flow meter, 7.5 Hz for the first 30 s of each minute
        gpio.RegisterCallbackForPinValueChangedEvent(27, PinEventTypes.Rising, (_, _) => throw new InvalidOperationException("a subscriber's bug"));

        for (var i = 0; i < 400; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10)); // 4 s: 30 rising edges
        }

        Assert.Equal(30, gpio.GetCallbackFailures(27));
        var lines = _log.Inner.Lines.ToArray();
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Equal(LogLevel.Error, l.Level));
        Assert.Equal(
            "An edge callback on simulated gpiochip0 line 27 (GPIO27) threw; failure 1 on this line. Its other callbacks and later edges still run; the next report is at failure 10",
            lines[0].Text);
        Assert.Equal("a subscriber's bug", Assert.IsType<InvalidOperationException>(lines[0].Exception).Message);
        Assert.Contains("failure 10 on this line", lines[1].Text, StringComparison.Ordinal);
    }

    private sealed class Recording : ILogger<SensorFactory>
    {
        public RecordingLogger Inner { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
