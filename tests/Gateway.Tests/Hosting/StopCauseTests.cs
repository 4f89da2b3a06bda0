using Gateway.Hosting;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Hosting;

public class StopCauseTests
{
    [Fact]
    public void Only_a_requested_stop_exits_0_anything_else_exits_1()
    {
        Assert.Equal(0, StopCause.ExitCode(requested: true));
        Assert.Equal(1, StopCause.ExitCode(requested: false));
    }

    [Fact]
    public async Task A_background_service_that_threw_is_named_with_its_cause_and_one_that_ended_cleanly_is_not()
    {
        using var failing = new Throwing();
        using var finishing = new Finishing();
        await failing.StartAsync(TestContext.Current.CancellationToken);
        await finishing.StartAsync(TestContext.Current.CancellationToken);
        await Task.WhenAny(failing.ExecuteTask!).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await finishing.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var failure = Assert.Single(StopCause.Failures([failing, finishing]));
        Assert.Equal(nameof(Throwing), failure.Component);
        Assert.Equal("the disk fell off", Assert.IsType<InvalidOperationException>(failure.Cause).Message);
    }

    private sealed class Throwing : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("the disk fell off");
        }
    }

    private sealed class Finishing : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }
}
