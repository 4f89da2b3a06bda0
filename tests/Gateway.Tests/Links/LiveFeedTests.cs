using Gateway.Configuration;
using Gateway.Links;
using Gateway.Outbox;
using Gateway.Sampling;
using Microsoft.Extensions.Logging.Abstractions;
using OutboxStore = Gateway.Outbox.Outbox;

namespace Gateway.Tests.Links;

/// <summary>The live feed on a real outbox: it follows the commits only while someone subscribes.</summary>
public sealed class LiveFeedTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-livefeed-").FullName;
    private readonly OutboxStore _outbox;
    private readonly LiveFeed _feed;

    public LiveFeedTests()
    {
        _outbox = new OutboxStore(new OutboxOptions { Path = Path.Combine(_dir, "gateway.db"), CommitInterval = TimeSpan.FromMilliseconds(20) }, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        _outbox.Start();
        _feed = new LiveFeed(new GatewayOptions { DeviceId = "dev-feed", StateDirectory = _dir }, _outbox);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await _feed.StopAsync(CancellationToken.None);
        _feed.Dispose();
        await _outbox.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task With_nobody_subscribed_the_feed_does_not_follow_the_outbox_and_a_first_subscriber_starts_after_the_last_commit()
    {
        await _feed.StartAsync(Token);
        await CommitAsync(0, 5);
        Assert.False(_feed.Following);

        using var subscriber = _feed.Subscribe();

        Assert.True(_feed.Following);
        Assert.Equal(_outbox.LastCommitted + 1, subscriber.NextSeq);
        await CommitAsync(5, 3);
        var lines = await ReadLinesAsync(subscriber, 3);
        Assert.All(lines, line => Assert.Contains("\"dev-feed\"", line, StringComparison.Ordinal));
        Assert.Contains("\"seq\":" + subscriber.NextSeq, lines[0], StringComparison.Ordinal);
        Assert.Contains("\"seq\":" + (subscriber.NextSeq + 2), lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_last_subscriber_leaves_the_feed_stops_following_and_a_new_one_gets_only_later_readings()
    {
        await _feed.StartAsync(Token);
        var first = _feed.Subscribe();
        await CommitAsync(0, 2);
        await ReadLinesAsync(first, 2);
        first.Dispose();

        await CommitAsync(2, 1); // the feed notices the empty room after the read that follows this commit
        await WaitUntil(() => !_feed.Following);
        await CommitAsync(3, 4); // nobody follows these

        using var second = _feed.Subscribe();
        Assert.Equal(_outbox.LastCommitted + 1, second.NextSeq);
        await CommitAsync(7, 1);
        var lines = await ReadLinesAsync(second, 1);
        Assert.Contains("\"seq\":" + second.NextSeq, lines[0], StringComparison.Ordinal);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }

    private static async Task<List<string>> ReadLinesAsync(LiveFeed.Subscriber subscriber, int count)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(Bound);
        var lines = new List<string>();
        while (lines.Count < count)
        {
            lines.Add(System.Text.Encoding.UTF8.GetString(await subscriber.Lines.Reader.ReadAsync(deadline.Token)));
        }

        return lines;
    }

    // Accepts `count` readings and waits until they are committed.
    private async Task CommitAsync(int from, int count)
    {
        var before = _outbox.LastCommitted;
        for (var i = from; i < from + count; i++)
        {
            _outbox.Accept(new SampledReading("env", "temperature", i, "Cel", DateTimeOffset.UtcNow.AddMilliseconds(i)));
        }

        await WaitUntil(() => _outbox.LastCommitted >= before + count);
    }
}
