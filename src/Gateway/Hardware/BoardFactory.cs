using Gateway.Configuration;
using Gateway.FirmwareSim;
using Gateway.Hardware.Linux;
using Gateway.Hardware.Remote;

namespace Gateway.Hardware;

/// <summary>Picks the board implementation from <c>Gateway:Hardware:Backend</c>.</summary>
internal static class BoardFactory
{
    /// <summary>How long one request to a firmware-sim process may take.</summary>
    public static readonly TimeSpan RemoteTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Creates the board.</summary>
    /// <exception cref="FormatException">The simulator's scenario file is invalid.</exception>
    /// <exception cref="IOException">The scenario file cannot be read.</exception>
    public static IHardwareBoard Create(HardwareOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Backend switch
        {
            HardwareBackend.Simulated => SimulatorSetup.Create(options.Scenario, options.Seed, time),
            HardwareBackend.RemoteSimulator => new RemoteSimulatorBoard(options.SimulatorSocket, RemoteTimeout),
            HardwareBackend.Linux => new LinuxBoard(options.OneWireRoot),
            _ => throw new NotSupportedException($"backend {options.Backend}"),
        };
    }
}
