using Gateway.Commands;

namespace Gateway.Tests.Commands;

public class TokenBucketTests
{
    [Fact]
    public void A_full_bucket_allows_its_burst_then_refills_at_the_rate()
    {
        var bucket = new TokenBucket(rate: 2, burst: 2, now: 0, frequency: 1000);

        Assert.True(bucket.TryTake(0));
        Assert.True(bucket.TryTake(0));
        Assert.False(bucket.TryTake(0));
        Assert.False(bucket.TryTake(400)); // 0.8 token
        Assert.True(bucket.TryTake(500));  // 1 token
        Assert.True(bucket.TryTake(10_000) && bucket.TryTake(10_000) && !bucket.TryTake(10_000)); // never more than the burst
    }
}
