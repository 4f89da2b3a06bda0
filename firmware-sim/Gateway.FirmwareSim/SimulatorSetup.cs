using System.Reflection;
using Gateway.FirmwareSim.Board;
using Gateway.FirmwareSim.Scenarios;

namespace Gateway.FirmwareSim;

/// <summary>Builds the simulated board the same way for the gateway (in-process) and for the firmware-sim process.</summary>
public static class SimulatorSetup
{
    /// <summary>The simulator's version.</summary>
    public static string Version { get; } =
        typeof(SimulatorSetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Loads the scenario (the built-in default when <paramref name="scenarioPath"/> is null), applies the seed override and builds the board.</summary>
    /// <exception cref="FormatException">The scenario file is not valid.</exception>
    /// <exception cref="IOException">The scenario file cannot be read.</exception>
    public static SimulatedBoard Create(string? scenarioPath, long? seed, TimeProvider time)
    {
        var scenario = scenarioPath is null ? ScenarioLoader.Default() : ScenarioLoader.Load(scenarioPath);
        if (seed is { } s)
        {
            scenario = scenario with { Seed = s };
        }

        return new SimulatedBoard(scenario, time);
    }

    /// <summary>What the firmware-sim process answers to <c>hello</c>.</summary>
    public static string Identity(SimulatedBoard board) => $"firmware-sim {Version}, {board?.Description}";
}
