using Gateway.Links;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Links;

public class CommandRunnerTests
{
    [Fact]
    public async Task A_command_that_throws_an_unexpected_exception_is_logged_with_the_peer_and_does_not_fail_its_connection()
    {
        var logger = new RecordingLogger();
        var runner = new CommandRunner(logger, "listener tcp", "127.0.0.1:5555");

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Assert.True(runner.TryStart(async () =>
        {
            await gate.Task;
            throw new InvalidOperationException("a handler bug");
        }));
        Assert.True(runner.TryStart(() => Task.CompletedTask));

        // Draining is what a connection does when it ends (here while the command still runs): it must not rethrow.
        var drained = runner.DrainAsync();
        gate.SetResult();
        await drained.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var line = Assert.Single(logger.Lines, l => l.Level == LogLevel.Error);
        Assert.Contains("127.0.0.1:5555", line.Text, StringComparison.Ordinal);
        Assert.Contains("a handler bug", line.Text, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(line.Exception);
    }

    public static TheoryData<Exception> PeerGone() => [new IOException("broken pipe"), new Gateway.Protocol.Transport.ChannelClosedException("the peer is gone")];

    [Theory]
    [MemberData(nameof(PeerGone))]
    public async Task A_command_whose_peer_went_away_ends_quietly(Exception gone)
    {
        var logger = new RecordingLogger();
        var runner = new CommandRunner(logger, "listener tcp", "127.0.0.1:5555");

        Assert.True(runner.TryStart(() => throw gone));

        await runner.DrainAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Empty(logger.Lines);
    }
}
