using System.Device.Gpio;
using System.Text;
using Gateway.Hardware.Interop;
using Gateway.Hardware.Linux;

namespace Gateway.Hardware.Tests.Linux;

/// <summary>Decoding struct gpio_v2_line_info (include/uapi/linux/gpio.h) into <see cref="LinuxGpioLineInfo"/>.</summary>
public unsafe class LinuxGpioLineInfoTests
{
    [Fact]
    public void A_held_debounced_pull_up_input_with_both_edges_decodes_every_field()
    {
        var info = new gpio_v2_line_info
        {
            offset = 17,
            flags = (ulong)(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_USED | gpio_v2_line_flag.GPIO_V2_LINE_FLAG_INPUT
                | gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_PULL_UP | gpio_v2_line_flag.GPIO_V2_LINE_FLAG_EDGE_RISING
                | gpio_v2_line_flag.GPIO_V2_LINE_FLAG_EDGE_FALLING),
            num_attrs = 1,
        };
        Encoding.ASCII.GetBytes("GPIO17", new Span<byte>(info.name, 32));
        Encoding.ASCII.GetBytes("gateway", new Span<byte>(info.consumer, 32));
        info.attrs[0] = new gpio_v2_line_attribute { id = (uint)gpio_v2_line_attr_id.GPIO_V2_LINE_ATTR_ID_DEBOUNCE, debounce_period_us = 20000 };

        var decoded = LinuxGpioLineInfo.From(info);

        Assert.Equal(
            new LinuxGpioLineInfo(17, "GPIO17", "gateway", IsUsed: true, IsOutput: false, IsActiveLow: false, LinuxGpioBias.PullUp, PinEventTypes.Rising | PinEventTypes.Falling, TimeSpan.FromMilliseconds(20)),
            decoded);
    }

    [Fact]
    public void A_free_unnamed_line_has_no_name_no_consumer_and_no_debounce()
    {
        var decoded = LinuxGpioLineInfo.From(new gpio_v2_line_info { offset = 3, flags = (ulong)gpio_v2_line_flag.GPIO_V2_LINE_FLAG_INPUT });

        Assert.Equal(new LinuxGpioLineInfo(3, null, null, false, false, false, LinuxGpioBias.AsIs, PinEventTypes.None, TimeSpan.Zero), decoded);
    }

    [Fact]
    public void An_active_low_output_with_bias_disabled_decodes_so()
    {
        var decoded = LinuxGpioLineInfo.From(new gpio_v2_line_info
        {
            flags = (ulong)(gpio_v2_line_flag.GPIO_V2_LINE_FLAG_USED | gpio_v2_line_flag.GPIO_V2_LINE_FLAG_OUTPUT
                | gpio_v2_line_flag.GPIO_V2_LINE_FLAG_ACTIVE_LOW | gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_DISABLED),
        });

        Assert.True(decoded.IsOutput && decoded.IsActiveLow && decoded.IsUsed);
        Assert.Equal(LinuxGpioBias.Disabled, decoded.Bias);
    }

    [Theory]
    [InlineData("OUTPUT", PinMode.Output)]
    [InlineData("OUTPUT PULL_UP", PinMode.Output)]
    [InlineData("INPUT", PinMode.Input)]
    [InlineData("INPUT DISABLED", PinMode.Input)]
    [InlineData("INPUT PULL_UP", PinMode.InputPullUp)]
    [InlineData("INPUT PULL_DOWN", PinMode.InputPullDown)]
    public void A_lines_flags_give_the_mode_a_line_opened_as_it_is_reports(string flags, PinMode mode)
    {
        var bits = flags.Split(' ').Aggregate(default(gpio_v2_line_flag), (all, name) => all | name switch
        {
            "OUTPUT" => gpio_v2_line_flag.GPIO_V2_LINE_FLAG_OUTPUT,
            "INPUT" => gpio_v2_line_flag.GPIO_V2_LINE_FLAG_INPUT,
            "PULL_UP" => gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
            "PULL_DOWN" => gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
            _ => gpio_v2_line_flag.GPIO_V2_LINE_FLAG_BIAS_DISABLED,
        });

        Assert.Equal(mode, LinuxGpioLineInfo.From(new gpio_v2_line_info { flags = (ulong)bits }).Mode);
    }

    [Fact]
    public void A_32_character_name_without_a_terminator_is_kept_whole()
    {
        var info = default(gpio_v2_line_info);
        Encoding.ASCII.GetBytes(new string('N', 32), new Span<byte>(info.name, 32));

        Assert.Equal(new string('N', 32), LinuxGpioLineInfo.From(info).Name);
    }
}
