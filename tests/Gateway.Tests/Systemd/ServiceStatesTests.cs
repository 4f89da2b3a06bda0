using Gateway.Systemd;
using Microsoft.Extensions.Hosting.Systemd;

namespace Gateway.Tests.Systemd;

public class ServiceStatesTests
{
    [Fact]
    public void States_are_the_sd_notify_assignments()
    {
        Assert.Equal("READY=1", ServiceState.Ready.ToString());
        Assert.Equal("STOPPING=1", ServiceState.Stopping.ToString());
        Assert.Equal("WATCHDOG=1", ServiceStates.Watchdog.ToString());
        Assert.Equal("STATUS=Running: pi-01", ServiceStates.Status("Running: pi-01").ToString());
    }

    [Fact]
    public void A_status_stays_on_one_line_so_it_cannot_smuggle_another_assignment()
    {
        var state = ServiceStates.Status("evil\nREADY=1\r\tx");
        Assert.Equal("STATUS=evil READY=1  x", state.ToString());
    }

    [Fact]
    public void A_long_status_is_cut()
    {
        var state = ServiceStates.Status(new string('x', 5000));
        Assert.Equal("STATUS=".Length + ServiceStates.MaxStatusLength, state.ToString().Length);
    }
}
