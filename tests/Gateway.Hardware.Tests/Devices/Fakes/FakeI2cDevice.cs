using System.Device.I2c;

namespace Gateway.Hardware.Tests.Devices.Fakes;

/// <summary>
/// The bus side of a chip fake: logs every transfer with the (fake) time it happened, and fails every transfer
/// with <see cref="Fault"/> while it is set, as a chip that does not acknowledge or a stuck bus would.
/// </summary>
internal abstract class FakeI2cDevice : I2cDevice
{
    protected FakeI2cDevice(int address, TimeProvider time)
    {
        ConnectionSettings = new I2cConnectionSettings(1, address);
        Time = time;
    }

    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>Thrown by every transfer while set.</summary>
    public HardwareException? Fault { get; set; }

    /// <summary>Every transfer: "W 0xF4 0x25", "R 8", with when it happened.</summary>
    public List<(DateTimeOffset At, string Transfer)> Log { get; } = [];

    public bool Disposed { get; private set; }

    protected TimeProvider Time { get; }

    protected DateTimeOffset Now => Time.GetUtcNow();

    public IEnumerable<string> Transfers => Log.Select(l => l.Transfer);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Check();
        Log.Add((Now, "W " + Hex(buffer)));
        OnWrite(buffer);
    }

    public override void Read(Span<byte> buffer)
    {
        Check();
        Log.Add((Now, $"R {buffer.Length}"));
        OnRead(buffer);
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Check();
        Log.Add((Now, $"W {Hex(writeBuffer)} R {readBuffer.Length}"));
        OnWrite(writeBuffer);
        OnRead(readBuffer);
    }

    protected abstract void OnWrite(ReadOnlySpan<byte> data);

    protected abstract void OnRead(Span<byte> data);

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    protected static string Hex(ReadOnlySpan<byte> bytes) => string.Join(' ', bytes.ToArray().Select(b => $"0x{b:X2}"));

    private void Check()
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        if (Fault is { } fault)
        {
            throw fault;
        }
    }
}

/// <summary>
/// A chip with 256 byte registers and an address pointer (dotnet/iot's SimulatedI2cDevice idea): a write sets the
/// pointer with its first byte; reads return registers from the pointer on, auto-incrementing.
/// </summary>
internal abstract class RegisterI2cDevice : FakeI2cDevice
{
    protected RegisterI2cDevice(int address, TimeProvider time)
        : base(address, time)
    {
    }

    public byte[] Registers { get; } = new byte[256];

    protected byte Pointer { get; set; }

    protected override void OnRead(Span<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = ReadRegister(Pointer);
            Pointer++;
        }
    }

    protected virtual byte ReadRegister(byte register) => Registers[register];
}
