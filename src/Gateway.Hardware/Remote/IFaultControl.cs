namespace Gateway.Hardware.Remote;

/// <summary>Live fault injection on a simulated board, as the firmware-sim CLI drives it through the socket.</summary>
public interface IFaultControl
{
    /// <summary>Injects a fault described like <c>nack bme280</c> or <c>timeout sht3x 5s</c>; returns a description of what was done.</summary>
    /// <exception cref="FormatException">The description is not a fault the simulator knows; the message says why.</exception>
    string Inject(string fault);

    /// <summary>Clears the faults on a target (e.g. <c>bme280</c>, or <c>all</c>); returns what was cleared.</summary>
    string Clear(string target);

    /// <summary>The faults now active, one description each.</summary>
    IReadOnlyList<string> ActiveFaults { get; }
}
