using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Scenarios;

namespace Gateway.FirmwareSim.Tests.Environment;

/// <summary>
/// The edges an input line makes: asked for in small steps (as the edge pump does, a few milliseconds at a time) they
/// are exactly the edges of one long question, and each is a real change of the line's level.
/// </summary>
public sealed class TransitionsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
    private readonly Scenario _scenario = ScenarioLoader.Default();

    [Theory]
    [InlineData("flow", 1)]
    [InlineData("flow", 7)]
    [InlineData("flow", 10)]
    [InlineData("door", 10)]
    [InlineData("flow", 133)]
    [InlineData("door", 250)]
    public void Edges_asked_for_in_small_steps_are_exactly_the_edges_of_one_long_question(string device, int stepMilliseconds)
    {
        var model = new EnvironmentModel(_scenario, Start);
        var spec = _scenario.Devices.Single(d => d.Name == device);
        var end = Start + TimeSpan.FromSeconds(200);

        var whole = model.Transitions(spec, Start, end).ToList();
        var pieces = new List<(DateTimeOffset At, bool High)>();
        for (var from = Start; from < end; from += TimeSpan.FromMilliseconds(stepMilliseconds))
        {
            var to = from + TimeSpan.FromMilliseconds(stepMilliseconds);
            pieces.AddRange(model.Transitions(spec, from, to < end ? to : end));
        }

        Assert.NotEmpty(whole);
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void Every_edge_of_the_pulse_train_changes_the_level_it_reports_and_the_pulses_match_the_rate()
    {
        var model = new EnvironmentModel(_scenario, Start);
        var flow = _scenario.Devices.Single(d => d.Name == "flow");
        var minute = TimeSpan.FromSeconds(flow.PeriodSeconds);

        var edges = model.Transitions(flow, Start, Start + minute - TimeSpan.FromMilliseconds(1)).ToList();

        Assert.All(edges, e => Assert.Equal(e.High, model.Level(flow, e.At + TimeSpan.FromTicks(10))));
        Assert.All(edges.Zip(edges.Skip(1)), p => Assert.True(p.First.At < p.Second.At && p.First.High != p.Second.High));
        Assert.Equal((int)Math.Ceiling(flow.ActiveSeconds * flow.RateHz), edges.Count(e => e.High) + (model.Level(flow, Start) ? 1 : 0));
    }
}
