using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.FirmwareSim.Scenarios;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.FirmwareSim.Tests.Chips;

/// <summary>What a chip model needs around it in a unit test: a controlled clock, the default environment and faults.</summary>
internal sealed class ChipHarness
{
    /// <summary>Creates the harness; <paramref name="targets"/> are the names faults may be aimed at.</summary>
    public ChipHarness(params string[] targets)
    {
        Environment = new EnvironmentModel(new Scenario(), Time.GetUtcNow());
        Faults = new FaultController(Time, targets.Contains);
    }

    public FakeTimeProvider Time { get; } = SimClock.At();

    public EnvironmentModel Environment { get; }

    public FaultController Faults { get; }
}
