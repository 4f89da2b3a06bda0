using Gateway.Systemd;

namespace Gateway.Tests.Systemd;

public class ServiceStateTests
{
    [Fact]
    public void States_are_the_sd_notify_assignments()
    {
        Assert.Equal("READY=1", ServiceState.Ready.Text);
        Assert.Equal("STOPPING=1", ServiceState.Stopping.Text);
        Assert.Equal("WATCHDOG=1", ServiceState.Watchdog.Text);
        Assert.Equal("STATUS=Running: pi-01", ServiceState.Status("Running: pi-01").Text);
    }

    [Fact]
    public void A_status_stays_on_one_line_so_it_cannot_smuggle_another_assignment()
    {
        var state = ServiceState.Status("evil\nREADY=1\r\tx");
        Assert.Equal("STATUS=evil READY=1  x", state.Text);
    }

    [Fact]
    public void A_long_status_is_cut()
    {
        var state = ServiceState.Status(new string('x', 5000));
        Assert.Equal("STATUS=".Length + ServiceState.MaxStatusLength, state.Text.Length);
    }
}
