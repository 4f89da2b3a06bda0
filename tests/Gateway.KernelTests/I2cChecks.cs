using Gateway.Hardware;
using Gateway.Hardware.Catalogue;
using Gateway.Hardware.Devices.Bme280;
using Gateway.Hardware.Linux;

namespace Gateway.KernelTests;

/// <summary>
/// The gateway's i2c-dev code (<see cref="LinuxI2cBus"/>, what Backend=Linux uses) against two kernel adapters:
/// i2c-regsim, which does real I2C transfers (so every transaction is one I2C_RDWR), and i2c-stub, which speaks SMBus
/// only (so transactions go out through I2C_SMBUS). On both, the real <see cref="Bme280"/> binding reads a simulated
/// chip at 0x76 and must give the datasheet's values; a missing device must be a <see cref="BusNackException"/>.
/// </summary>
internal static class I2cChecks
{
    private const int Address = 0x76;
    private const int Nobody = 0x77;

    public static async Task RunAsync(CheckRunner checks, Guest guest)
    {
        var regs = new RegisterSim(guest.RegsimDebugfs);
        LinuxI2cBus? bus = null;
        checks.Run("i2c: the transfer-capable adapter opens and reports I2C_FUNC_I2C (I2C_FUNCS)", () =>
        {
            bus = new LinuxI2cBus(guest.RegsimBus);
            Expect.True(bus.SupportsI2cTransfers, $"I2C_FUNCS = 0x{bus.Functionality:X8} has no I2C_FUNC_I2C");
        });
        if (bus is not null)
        {
            using (bus)
            {
                await TransferChecks(checks, bus, regs).ConfigureAwait(false);
            }
        }

        LinuxI2cBus? smbus = null;
        checks.Run("smbus: i2c-stub has no I2C_FUNC_I2C, so the bus picks the SMBus path (I2C_FUNCS)", () =>
        {
            smbus = new LinuxI2cBus(guest.StubBus);
            Expect.True(!smbus.SupportsI2cTransfers, $"I2C_FUNCS = 0x{smbus.Functionality:X8} unexpectedly has I2C_FUNC_I2C");
        });
        if (smbus is not null)
        {
            using (smbus)
            {
                await SmbusChecks(checks, smbus, guest).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Preloads i2c-regsim's device at 0x76 with the BME280 fixture (the gateway checks read it too).</summary>
    public static void LoadBme280(RegisterSim regs)
    {
        regs.Load(Address, 0x88, Bme280Fixture.Calibration1());
        regs.Load(Address, 0xE1, Bme280Fixture.Calibration2());
        regs.Load(Address, 0xF7, Bme280Fixture.Data());
        regs.Load(Address, 0xF2, [0, 0, 0]); // ctrl_hum, status (not measuring, no NVM copy), ctrl_meas
        regs.Load(Address, Bme280Fixture.IdRegister, [Bme280Fixture.ChipId]);
    }

    private static async Task TransferChecks(CheckRunner checks, LinuxI2cBus bus, RegisterSim regs)
    {
        using var device = bus.CreateDevice(Address);
        checks.Run("i2c: a write is one message that sets the register pointer and fills registers (I2C_RDWR)", () =>
        {
            device.Write([0x10, 0xA1, 0xB2, 0xC3, 0xD4]);
            Expect.Equal("w76:5", regs.LastTransfer, "the transfer the adapter saw");
            Expect.Bytes([0xA1, 0xB2, 0xC3, 0xD4], regs.Registers(Address).AsSpan(0x10, 4), "registers 0x10-0x13");
        });

        checks.Run("i2c: a write-read is one transfer of two messages (repeated start) and reads the registers", () =>
        {
            regs.Load(Address, 0x20, [0x11, 0x22, 0x33]);
            var read = new byte[3];
            device.WriteRead([0x20], read);
            Expect.Equal("w76:1 r76:3", regs.LastTransfer, "the transfer the adapter saw");
            Expect.Bytes([0x11, 0x22, 0x33], read, "bytes read from 0x20");
        });

        checks.Run("i2c: a read alone is one read message continuing from the register pointer", () =>
        {
            regs.Load(Address, 0x23, [0x44, 0x55]);
            var read = new byte[2];
            device.Read(read);
            Expect.Equal("r76:2", regs.LastTransfer, "the transfer the adapter saw");
            Expect.Bytes([0x44, 0x55], read, "bytes read after 0x20-0x22");
        });

        checks.Run("i2c: 200-byte writes and reads arrive whole", () =>
        {
            var pattern = Enumerable.Range(0, 200).Select(i => (byte)(i * 7)).ToArray();
            device.Write([0x30, .. pattern]);
            Expect.Bytes(pattern, regs.Registers(Address).AsSpan(0x30, 200), "registers after the write");
            var read = new byte[200];
            device.WriteRead([0x30], read);
            Expect.Bytes(pattern, read, "bytes read back");
        });

        await Bme280Checks(checks, "i2c", device, regs.Registers, () => LoadBme280(regs), bme => regs.Load(Address, Bme280Fixture.IdRegister, [bme])).ConfigureAwait(false);

        // The sensor catalogue (issue 16, item 6): a catalogue type as the gateway runs it, Iot.Device.Bindings' Bmp280 behind
        // our ISensor, over our I2cBus on the kernel's adapter. A BMP280 is the BME280 without humidity (same T/P trimming,
        // same compensation; BMP280 datasheet 4.2, chip id 0x58), so the fixture's chip with the BMP280's id gives the
        // fixture's temperature and pressure.
        await checks.RunAsync("i2c: the catalogue's Bmp280 (Iot.Device.Bindings' binding behind the gateway's sensor) reads a BMP280 over our I2cBus", async () =>
        {
            LoadBme280(regs);
            regs.Load(Address, Bme280Fixture.IdRegister, [0x58]);
            try
            {
                using var sensor = CatalogueBindings.Bmp280(bus, bus.BusId, Address);
                var values = await sensor.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                Expect.Near(Bme280Fixture.Temperature, values.Single(m => m.Quantity == "temperature").Value, 0.01, "temperature °C (upstream's floating-point compensation)");
                Expect.Near(Bme280Fixture.Pressure, values.Single(m => m.Quantity == "pressure").Value, 1.0, "pressure Pa");
                Expect.Equal("Pa", values.Single(m => m.Quantity == "pressure").Unit, "pressure's SenML unit");
            }
            finally
            {
                regs.Load(Address, Bme280Fixture.IdRegister, [Bme280Fixture.ChipId]);
            }
        }).ConfigureAwait(false);

        checks.Run("i2c: nobody at 0x77 is a NACK: I2C_RDWR fails with ENXIO, a BusNackException", () =>
        {
            using var nobody = bus.CreateDevice(Nobody);
            var ex = Expect.Throws<BusNackException>(() => nobody.WriteRead([0xD0], new byte[1]), "write-read at 0x77");
            Expect.Equal<int?>(6, ex.Errno, "errno");
            Expect.Equal<string?>($"/dev/i2c-{bus.BusId}@0x77", ex.Device, "device");
        });

        await checks.RunAsync("i2c: the BME280 binding at an empty address fails with a BusNackException naming the step", async () =>
        {
            using var bme = new Bme280(bus.CreateDevice(Nobody), TimeProvider.System);
            var ex = await ThrowsAsync<BusNackException>(() => bme.ReadAsync(CancellationToken.None).AsTask()).ConfigureAwait(false);
            Expect.True(ex.Message.Contains("reading id (0xD0)", StringComparison.Ordinal), $"the message names the step: {ex.Message}");
        }).ConfigureAwait(false);
    }

    private static async Task SmbusChecks(CheckRunner checks, LinuxI2cBus bus, Guest guest)
    {
        using var device = bus.CreateDevice(Address);
        checks.Run("smbus: a two-byte write is an SMBus write byte, a register read an SMBus read byte (I2C_SMBUS)", () =>
        {
            device.Write([0x20, 0xAB]);
            var read = new byte[1];
            device.WriteRead([0x20], read);
            Expect.Equal((byte)0xAB, read[0], "register 0x20");
        });

        checks.Run("smbus: longer writes and reads are I2C block transfers (up to 32 bytes)", () =>
        {
            var pattern = Enumerable.Range(0, 32).Select(i => (byte)(0x80 + i)).ToArray();
            device.Write([0x40, .. pattern]);
            var read = new byte[32];
            device.WriteRead([0x40], read);
            Expect.Bytes(pattern, read, "registers 0x40-0x5F");
            var three = new byte[3];
            device.WriteRead([0x41], three);
            Expect.Bytes(pattern.AsSpan(1, 3), three, "registers 0x41-0x43");
        });

        checks.Run("smbus: a one-byte write sets the pointer (send byte) and a one-byte read reads from it (receive byte)", () =>
        {
            device.Write([0x42]);
            Expect.Equal((byte)0x82, device.ReadByte(), "the byte at 0x42");
        });

        checks.Run("smbus: a transaction SMBus cannot carry is refused before the bus, with EOPNOTSUPP", () =>
        {
            var ex = Expect.Throws<HardwareException>(() => device.Read(new byte[6]), "a 6-byte read without a command");
            Expect.Equal<int?>(95, ex.Errno, "errno");
            Expect.True(ex.Message.Contains("SMBus only", StringComparison.Ordinal), $"the message says why: {ex.Message}");
        });

        await Bme280Checks(
            checks,
            "smbus",
            device,
            _ =>
            {
                var all = new byte[256];
                for (var start = 0; start < 256; start += 32)
                {
                    device.WriteRead([(byte)start], all.AsSpan(start, 32));
                }

                return all;
            },
            () =>
            {
                device.Write([0x88, .. Bme280Fixture.Calibration1()]);
                device.Write([0xE1, .. Bme280Fixture.Calibration2()]);
                device.Write([0xF7, .. Bme280Fixture.Data()]);
                device.Write([0xF2, 0, 0, 0]);
                device.Write([Bme280Fixture.IdRegister, Bme280Fixture.ChipId]);
            },
            id => device.Write([Bme280Fixture.IdRegister, id])).ConfigureAwait(false);

        checks.Run("smbus: without I2C block support, two-byte transfers are SMBus words, low byte first", () =>
        {
            // i2c-stub's functionality is a writable module parameter: take the I2C block transfers away.
            const string parameter = "/sys/module/i2c_stub/parameters/functionality";
            var original = File.ReadAllText(parameter).Trim();
            File.WriteAllText(parameter, (ulong.Parse(original, System.Globalization.CultureInfo.InvariantCulture) & ~0x0C000000UL).ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                using var words = new LinuxI2cBus(guest.StubBus);
                using var chip = words.CreateDevice(Address);
                chip.Write([0x60, 0x12, 0x34]);
                var read = new byte[2];
                chip.WriteRead([0x60], read);
                Expect.Bytes([0x12, 0x34], read, "the word read back");
                chip.WriteRead([0x60], read.AsSpan(0, 1));
                Expect.Equal((byte)0x12, read[0], "register 0x60 alone (the low byte went first)");
                var ex = Expect.Throws<HardwareException>(() => chip.WriteRead([0x60], new byte[3]), "a 3-byte read without I2C block support");
                Expect.Equal<int?>(95, ex.Errno, "errno");
            }
            finally
            {
                File.WriteAllText(parameter, original);
            }
        });

        checks.Run("smbus: nobody at 0x77 is a NACK: i2c-stub's ENODEV becomes a BusNackException", () =>
        {
            using var nobody = bus.CreateDevice(Nobody);
            var ex = Expect.Throws<BusNackException>(() => nobody.WriteRead([0xD0], new byte[1]), "read byte at 0x77");
            Expect.Equal<int?>(19, ex.Errno, "errno");
        });
    }

    private static async Task Bme280Checks(
        CheckRunner checks, string prefix, System.Device.I2c.I2cDevice device, Func<int, byte[]> registers, Action load, Action<byte> setId)
    {
        await checks.RunAsync($"{prefix}: the real BME280 binding reads the values the datasheet's compensation gives", async () =>
        {
            load();
            var bme = new Bme280(device, TimeProvider.System); // not disposed: it would dispose the shared device
            var reading = await bme.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            Expect.Near(Bme280Fixture.Temperature, reading.TemperatureCelsius, 1e-9, "temperature °C");
            Expect.Near(Bme280Fixture.Pressure, reading.PressurePascal, 1e-9, "pressure Pa");
            Expect.Near(Bme280Fixture.Humidity, reading.HumidityPercent, 1e-9, "humidity %RH");
        }).ConfigureAwait(false);

        checks.Run($"{prefix}: the binding's reset and forced-mode writes reached the chip's registers", () =>
        {
            var r = registers(Address);
            Expect.Equal((byte)0xB6, r[0xE0], "reset (0xE0)");
            Expect.Equal((byte)0x01, r[0xF2], "ctrl_hum (0xF2): osrs_h ×1");
            Expect.Equal((byte)0x25, r[0xF4], "ctrl_meas (0xF4): osrs_t ×1, osrs_p ×1, forced");
        });

        await checks.RunAsync($"{prefix}: a BMP280's chip id is refused as the wrong chip", async () =>
        {
            setId(0x58);
            try
            {
                var bme = new Bme280(device, TimeProvider.System);
                var ex = await ThrowsAsync<UnexpectedChipException>(() => bme.ReadAsync(CancellationToken.None).AsTask()).ConfigureAwait(false);
                Expect.True(ex.Message.Contains("BMP280", StringComparison.Ordinal), $"the message names it: {ex.Message}");
            }
            finally
            {
                setId(Bme280Fixture.ChipId);
            }
        }).ConfigureAwait(false);

        if (prefix == "i2c")
        {
            checks.Run("i2c: Iot.Device.Bindings' BME280 binding, unchanged, reads the same chip over our I2cBus", () =>
            {
                load();
                var upstream = new Iot.Device.Bmxx80.Bme280(device); // not disposed: it would dispose the shared device
                upstream.SetPowerMode(Iot.Device.Bmxx80.PowerMode.Bmx280PowerMode.Forced);
                var reading = upstream.Read();
                Expect.Near(Bme280Fixture.Temperature, reading.Temperature?.DegreesCelsius ?? double.NaN, 0.01, "temperature °C (its floating-point compensation)");
                Expect.Near(Bme280Fixture.Pressure, reading.Pressure?.Pascals ?? double.NaN, 1.0, "pressure Pa");
            });
        }
        else
        {
            // Iot.Device.Bmxx80 reads a register as a write of its address, then a separate read: two transactions, the
            // second a read without a command, which no SMBus transaction carries. Ours reads with one WriteRead.
            checks.Run($"{prefix}: Iot.Device.Bindings' BME280 binding cannot run on an SMBus-only adapter, and is told why", () =>
            {
                load();
                var ex = Expect.Throws<HardwareException>(() => new Iot.Device.Bmxx80.Bme280(device).Read(), "upstream BME280 over SMBus");
                Expect.True(ex.Message.Contains("SMBus only", StringComparison.Ordinal), $"the message says why: {ex.Message}");
            });
        }
    }

    private static async Task<TException> ThrowsAsync<TException>(Func<Task> action)
        where TException : Exception
    {
        try
        {
            await action().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The point is to see which exception it was.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex.GetType() == typeof(TException)
                ? (TException)ex
                : throw new CheckFailedException($"expected {typeof(TException).Name}, got {ex.GetType().Name}: {ex.Message}");
        }

        throw new CheckFailedException($"expected {typeof(TException).Name}, but it succeeded");
    }
}
