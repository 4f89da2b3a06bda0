using Gateway.FirmwareSim.Environment;
using Gateway.FirmwareSim.Faults;
using Gateway.Hardware;

namespace Gateway.FirmwareSim.Chips;

/// <summary>
/// A register-level model of one I2C chip. The bus hands it each transaction's bytes; the common faults (NACK,
/// timeout, gone) are applied here before the chip sees anything, chip-specific ones in the model.
/// </summary>
public abstract class I2cChipModel
{
    /// <summary>Creates the model.</summary>
    protected I2cChipModel(string name, string type, string location, TimeProvider time, EnvironmentModel environment, FaultController faults)
    {
        Name = name;
        Type = type;
        Location = location;
        Time = time;
        Environment = environment;
        Faults = faults;
    }

    /// <summary>The device's name in the scenario.</summary>
    public string Name { get; }

    /// <summary>The chip type (a fault target too).</summary>
    public string Type { get; }

    /// <summary>Bus and address, e.g. <c>i2c-1@0x76</c>.</summary>
    public string Location { get; }

    /// <summary>The board's clock.</summary>
    protected TimeProvider Time { get; }

    /// <summary>What the chip measures.</summary>
    protected EnvironmentModel Environment { get; }

    /// <summary>The board's faults.</summary>
    protected FaultController Faults { get; }

    /// <summary>Whether a fault of <paramref name="kind"/> is active on this chip.</summary>
    protected bool Has(FaultKind kind) => Faults.Active(kind, Name, Type);

    /// <summary>A write transaction (address acknowledged, then these bytes).</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        CheckBus();
        OnWrite(data);
    }

    /// <summary>A read transaction filling <paramref name="data"/>.</summary>
    public void Read(Span<byte> data)
    {
        CheckBus();
        OnRead(data);
    }

    /// <summary>The chip's reaction to written bytes.</summary>
    protected abstract void OnWrite(ReadOnlySpan<byte> data);

    /// <summary>The chip's answer to a read.</summary>
    protected abstract void OnRead(Span<byte> data);

    /// <summary>A NACK from this chip, as the bus reports it.</summary>
    protected BusNackException Nack(string why) => new($"{Type} {Name} at {Location}: {why}", Location);

    private void CheckBus()
    {
        if (Has(FaultKind.Gone) || Has(FaultKind.Nack))
        {
            throw new BusNackException($"no acknowledge from {Location} ({Type} {Name})", Location);
        }

        if (Has(FaultKind.Timeout))
        {
            throw new BusTimeoutException($"bus timeout talking to {Location} ({Type} {Name}): SCL held low", Location);
        }
    }
}
