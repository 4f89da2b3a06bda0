using System.Globalization;

namespace Gateway.KernelTests;

/// <summary>
/// Where the simulated board is in this guest, as tests/kernel-in-the-loop/guest/board.sh set it up and exported it.
/// </summary>
/// <param name="GpioChip">The gpio-sim chip's node, e.g. <c>/dev/gpiochip0</c>.</param>
/// <param name="GpioSim">The chip's sysfs folder holding <c>sim_gpioK/{pull,value}</c>.</param>
/// <param name="RegsimBus">N of <c>/dev/i2c-N</c> of i2c-regsim (transfer-capable, device at 0x76).</param>
/// <param name="StubBus">N of <c>/dev/i2c-N</c> of i2c-stub (SMBus only, chip at 0x76).</param>
/// <param name="RegsimDebugfs">i2c-regsim's debugfs folder.</param>
/// <param name="UnplugChip">A second gpio-sim chip (2 lines) that a check takes away while it is in use.</param>
/// <param name="UnplugLive">Its configfs <c>live</c> attribute: writing 0 removes the chip.</param>
internal sealed record Guest(string GpioChip, string GpioSim, int RegsimBus, int StubBus, string RegsimDebugfs, string UnplugChip, string UnplugLive)
{
    /// <summary>The gpio-sim line names board.sh gives lines 0–7.</summary>
    public static readonly string[] LineNames = ["GPIO17", "GPIO22", "GPIO23", "GPIO24", "GPIO25", "GPIO26", "GPIO27", "GPIO5"];

    /// <summary>The gpio-sim bank's label.</summary>
    public const string ChipLabel = "kil-bank0";

    /// <summary>The chip number N of <c>/dev/gpiochipN</c>.</summary>
    public int GpioChipNumber => int.Parse(GpioChip["/dev/gpiochip".Length..], CultureInfo.InvariantCulture);

    public static Guest FromEnvironment() => new(
        Variable("KIL_GPIO_CHIP"),
        Variable("KIL_GPIO_SIM"),
        int.Parse(Variable("KIL_I2C_REGSIM"), CultureInfo.InvariantCulture),
        int.Parse(Variable("KIL_I2C_STUB"), CultureInfo.InvariantCulture),
        Variable("KIL_REGSIM_DEBUGFS"),
        Variable("KIL_UNPLUG_CHIP"),
        Variable("KIL_UNPLUG_LIVE"));

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run inside the kernel-in-the-loop guest (tests/kernel-in-the-loop/run.sh)");
}

/// <summary>The outside world of the gpio-sim chip: what its lines drive and the pull that drives its inputs.</summary>
internal sealed class SimulatedLines(string sysfs)
{
    /// <summary>Pulls line <paramref name="line"/> up or down, as a switch on the pin would (an input then reads it; edges follow).</summary>
    public void Pull(int line, bool up) =>
        File.WriteAllText(Path.Combine(sysfs, $"sim_gpio{line}", "pull"), up ? "pull-up" : "pull-down");

    /// <summary>The level on line <paramref name="line"/>: what an output drives, or the pull on an input.</summary>
    public int Value(int line) =>
        int.Parse(File.ReadAllText(Path.Combine(sysfs, $"sim_gpio{line}", "value")).Trim(), CultureInfo.InvariantCulture);
}

/// <summary>i2c-regsim's debugfs: a device's 256 registers (preload, inspect) and the last transfer's messages.</summary>
internal sealed class RegisterSim(string debugfs)
{
    public void Load(int address, int register, ReadOnlySpan<byte> bytes)
    {
        using var file = File.OpenHandle(DeviceFile(address), FileMode.Open, FileAccess.Write);
        RandomAccess.Write(file, bytes, register);
    }

    public byte[] Registers(int address)
    {
        var registers = new byte[256];
        using var file = File.OpenHandle(DeviceFile(address), FileMode.Open, FileAccess.Read);
        var n = RandomAccess.Read(file, registers, 0);
        return n == registers.Length ? registers : throw new CheckFailedException($"debugfs gave {n} of 256 registers of 0x{address:x2}");
    }

    /// <summary>The last transfer as i2c-regsim saw it, e.g. <c>w76:1 r76:8</c>.</summary>
    public string LastTransfer => File.ReadAllText(Path.Combine(debugfs, "last")).Trim();

    private string DeviceFile(int address) => Path.Combine(debugfs, string.Create(CultureInfo.InvariantCulture, $"0x{address:x2}"));
}
