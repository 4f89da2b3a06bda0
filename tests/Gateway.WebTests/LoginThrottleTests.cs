using System.Net;
using Gateway.Web;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.WebTests;

/// <summary>Wrong tokens per address: a few are free, then lock-outs that double, forgotten on success or after a while.</summary>
public sealed class LoginThrottleTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.0.2.7");
    private static readonly IPAddress Operator = IPAddress.Parse("192.0.2.8");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 21, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_first_wrong_tokens_are_free_then_each_one_doubles_the_lock_out()
    {
        var throttle = new LoginThrottle(_time);
        for (var i = 0; i < LoginThrottle.FreeFailures; i++)
        {
            Assert.Null(throttle.RetryAfter(Attacker));
            Assert.Equal(TimeSpan.Zero, throttle.Failed(Attacker));
        }

        Assert.Equal(TimeSpan.FromSeconds(1), throttle.Failed(Attacker));
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.RetryAfter(Attacker));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(throttle.RetryAfter(Attacker));
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.Failed(Attacker));
        Assert.Equal(TimeSpan.FromSeconds(4), LoginThrottle.Lockout(LoginThrottle.FreeFailures + 3));
        Assert.Equal(LoginThrottle.MaxLockout, LoginThrottle.Lockout(1_000_000));
    }

    [Fact]
    public void One_address_being_locked_out_does_not_touch_another()
    {
        var throttle = new LoginThrottle(_time);
        for (var i = 0; i < 20; i++)
        {
            throttle.Failed(Attacker);
        }

        Assert.NotNull(throttle.RetryAfter(Attacker));
        Assert.Null(throttle.RetryAfter(Operator));
        Assert.NotNull(throttle.RetryAfter(IPAddress.Parse("::ffff:192.0.2.7"))); // the same address seen over IPv6
    }

    [Fact]
    public void A_login_or_a_quiet_while_forgets_the_failures()
    {
        var throttle = new LoginThrottle(_time);
        for (var i = 0; i < LoginThrottle.FreeFailures; i++)
        {
            throttle.Failed(Operator);
        }

        throttle.Succeeded(Operator);
        Assert.Equal(TimeSpan.Zero, throttle.Failed(Operator));

        for (var i = 0; i < LoginThrottle.FreeFailures; i++)
        {
            throttle.Failed(Attacker);
        }

        _time.Advance(LoginThrottle.Memory + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, throttle.Failed(Attacker));
    }

    [Fact]
    public void The_table_stays_bounded_when_every_guess_comes_from_a_new_address()
    {
        var throttle = new LoginThrottle(_time);
        for (var i = 0; i < LoginThrottle.MaxAddresses + 500; i++)
        {
            throttle.Failed(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        }

        Assert.Equal(LoginThrottle.MaxAddresses, throttle.Count);
    }
}
