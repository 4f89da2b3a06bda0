using Gateway.Web;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.WebTests;

/// <summary>The web console's logins: token → key, session ids, idle expiry, the cap on sessions.</summary>
public sealed class ConsoleSessionsTests
{
    private static readonly WebConsoleOptions Options = new()
    {
        SessionIdle = TimeSpan.FromMinutes(30),
        SessionMax = TimeSpan.FromHours(2),
        MaxSessions = 3,
        Tokens = new Dictionary<string, string> { ["operator"] = "operator-token-0123456789", ["viewer"] = "viewer-token-0123456789" },
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_token_names_its_key_and_anything_else_names_none()
    {
        var sessions = new ConsoleSessions(Options, _time);
        Assert.Equal("operator", sessions.KeyForToken("operator-token-0123456789"));
        Assert.Equal("viewer", sessions.KeyForToken("viewer-token-0123456789"));
        Assert.Null(sessions.KeyForToken("operator-token-012345678"));
        Assert.Null(sessions.KeyForToken(string.Empty));
    }

    [Fact]
    public void A_session_id_is_random_and_leads_back_to_its_key()
    {
        var sessions = new ConsoleSessions(Options, _time);
        var a = sessions.Open("operator");
        var b = sessions.Open("operator");
        Assert.NotEqual(a, b);
        Assert.True(a.Length >= 40);
        Assert.Equal("operator", sessions.Use(a));
        Assert.Null(sessions.Use("not-a-session"));
        Assert.Null(sessions.Use(null));
    }

    [Fact]
    public void A_session_unused_for_the_idle_time_expires_but_use_keeps_it_alive()
    {
        var sessions = new ConsoleSessions(Options, _time);
        var kept = sessions.Open("viewer");
        var idle = sessions.Open("viewer");
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal("viewer", sessions.Use(kept));
        }

        Assert.Null(sessions.Use(idle));
    }

    [Fact]
    public void A_session_in_use_all_along_still_ends_at_its_absolute_lifetime()
    {
        var sessions = new ConsoleSessions(Options, _time);
        var id = sessions.Open("operator");
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal("operator", sessions.Use(id)); // a page polling the status: never idle
        }

        _time.Advance(TimeSpan.FromMinutes(21)); // 2 h 1 min after the login
        Assert.False(sessions.IsAlive(id));
        Assert.Null(sessions.Use(id));
        Assert.Equal(0, sessions.Count);
    }

    [Fact]
    public void Logging_out_ends_the_session()
    {
        var sessions = new ConsoleSessions(Options, _time);
        var id = sessions.Open("operator");
        Assert.True(sessions.IsAlive(id));
        sessions.Close(id);
        Assert.False(sessions.IsAlive(id));
        Assert.Null(sessions.Use(id));
    }

    [Fact]
    public void Asking_whether_a_session_is_alive_does_not_keep_it_alive()
    {
        var sessions = new ConsoleSessions(Options, _time);
        var id = sessions.Open("viewer");
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.True(sessions.IsAlive(id));
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.False(sessions.IsAlive(id));
    }

    [Fact]
    public void Past_the_cap_the_least_recently_used_session_goes_first()
    {
        var sessions = new ConsoleSessions(Options, _time);
        var first = sessions.Open("viewer");
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = sessions.Open("viewer");
        _time.Advance(TimeSpan.FromSeconds(1));
        var third = sessions.Open("viewer");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(sessions.Use(first)); // now second is the least recently used
        var fourth = sessions.Open("viewer");
        Assert.Equal(3, sessions.Count);
        Assert.Null(sessions.Use(second));
        Assert.NotNull(sessions.Use(first));
        Assert.NotNull(sessions.Use(third));
        Assert.NotNull(sessions.Use(fourth));
    }

    [Fact]
    public void Many_sessions_of_one_key_do_not_end_another_keys_session()
    {
        var sessions = new ConsoleSessions(Options, _time);
        var operatorSession = sessions.Open("operator");
        for (var i = 0; i < 64; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            sessions.Open("viewer");
        }

        Assert.Equal("operator", sessions.Use(operatorSession));
        Assert.Equal(Options.MaxSessions + 1, sessions.Count);
    }
}
