using System.Device.Gpio;

namespace Gateway.Hardware.Linux;

/// <summary>
/// Everything the driver asks of one line. GPIO_V2_LINE_SET_CONFIG_IOCTL replaces a line's whole configuration
/// (an attribute left out is reset: no debounce attribute means no debounce), so every change re-sends all of it.
/// </summary>
/// <param name="Mode">Direction and bias.</param>
/// <param name="OutputValue">The value an output drives when (re)configured.</param>
/// <param name="Edges">The edges reported as events (inputs only).</param>
/// <param name="Debounce">The debounce period (inputs only; zero for none).</param>
internal readonly record struct GpioLineSettings(PinMode Mode, PinValue OutputValue, PinEventTypes Edges, TimeSpan Debounce);
