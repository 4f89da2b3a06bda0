using Gateway.Commands;

namespace Gateway.Tests.Commands;

public class ReplayGuardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_nonce_is_forgotten_only_after_the_window()
    {
        var guard = new ReplayGuard(TimeSpan.FromSeconds(61), 100);
        Assert.Equal(ReplayGuard.Verdict.New, guard.Admit("k", "1", "n", "a", T0, out _));

        Assert.Equal(ReplayGuard.Verdict.NonceReused, guard.Admit("k", "2", "n", "a", T0.AddSeconds(60), out _));
        Assert.Equal(ReplayGuard.Verdict.New, guard.Admit("k", "3", "n", "a", T0.AddSeconds(62), out _));
    }

    [Fact]
    public void Keys_have_separate_nonces_and_ids()
    {
        var guard = new ReplayGuard(TimeSpan.FromSeconds(61), 100);
        guard.Admit("k1", "1", "n", "a", T0, out _);

        Assert.Equal(ReplayGuard.Verdict.New, guard.Admit("k2", "1", "n", "a", T0, out _));
    }

    [Fact]
    public void A_full_guard_refuses_new_commands_instead_of_forgetting_live_ones()
    {
        var guard = new ReplayGuard(TimeSpan.FromSeconds(61), 2);
        guard.Admit("k", "1", "n1", "a", T0, out _);
        guard.Admit("k", "2", "n2", "a", T0, out _);

        Assert.Equal(ReplayGuard.Verdict.Full, guard.Admit("k", "3", "n3", "a", T0, out _));
        Assert.Equal(ReplayGuard.Verdict.NonceReused, guard.Admit("k", "4", "n1", "a", T0, out _));
        Assert.Equal(ReplayGuard.Verdict.New, guard.Admit("k", "3", "n3", "a", T0.AddSeconds(62), out _));
    }
}
