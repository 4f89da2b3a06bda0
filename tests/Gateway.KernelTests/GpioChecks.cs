using System.Device.Gpio;
using System.Collections.Concurrent;
using Gateway.Hardware;
using Gateway.Hardware.Devices.DigitalOutput;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Linux;

namespace Gateway.KernelTests;

/// <summary>
/// The gateway's GPIO uAPI v2 driver (<see cref="LinuxGpioDriver"/> behind <see cref="GpioController"/>, what
/// Backend=Linux uses) against gpio-sim: chip and line info, requests, values, bias, reconfiguration, edge events from
/// the simulated pull, EBUSY and release. Every line is released at the end, so the gateway can have them.
/// </summary>
internal static class GpioChecks
{
    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(10); // generous: the emulated guest shares a busy host

    public static void Run(CheckRunner checks, Guest guest)
    {
        var sim = new SimulatedLines(guest.GpioSim);
        LinuxGpioDriver? driver = null;
        GpioChipController? gpio = null;
        checks.Run("gpio: the chip opens and reports its label and line count (GPIO_GET_CHIPINFO_IOCTL)", () =>
        {
            driver = new LinuxGpioDriver(guest.GpioChip);
            gpio = new GpioChipController(driver); // System.Device.Gpio's GpioController, plus line names and debounce
            Expect.Equal(Guest.ChipLabel, driver.Label, "label");
            Expect.Equal(Guest.LineNames.Length, gpio.PinCount, "lines");
        });
        if (driver is null || gpio is null)
        {
            return;
        }

        using var owner = gpio;
        checks.Run("gpio: line names come from line info and resolve to offsets (GPIO_V2_GET_LINEINFO_IOCTL)", () =>
        {
            for (var i = 0; i < Guest.LineNames.Length; i++)
            {
                Expect.Equal(Guest.LineNames[i], gpio.GetPinName(i), $"name of line {i}");
            }

            Expect.Equal(2, gpio.ResolvePin("GPIO23"), "GPIO23");
            var info = driver.GetLineInfo(2);
            Expect.Equal(false, info.IsUsed, "line 2 used before any request");
            Expect.Equal<string?>(null, info.Consumer, "line 2 consumer before any request");
        });

        checks.Run("gpio: an output starts at its initial value and the kernel shows who holds it (GPIO_V2_GET_LINE_IOCTL)", () =>
        {
            gpio.OpenPin(2, PinMode.Output, PinValue.High);
            Expect.Equal(1, sim.Value(2), "level on line 2 right after the request");
            var info = driver.GetLineInfo(2);
            Expect.True(info.IsUsed && info.IsOutput, $"line 2 should be a used output, line info says {info}");
            Expect.Equal<string?>("gateway", info.Consumer, "consumer");
        });

        checks.Run("gpio: writes drive the line and reads return the driven level (GPIO_V2_LINE_SET/GET_VALUES_IOCTL)", () =>
        {
            gpio.Write(2, PinValue.Low);
            Expect.Equal(0, sim.Value(2), "level after writing Low");
            Expect.Equal(PinValue.Low, gpio.Read(2), "read back after Low");
            gpio.Write(2, PinValue.High);
            Expect.Equal(1, sim.Value(2), "level after writing High");
            Expect.Equal(PinValue.High, gpio.Read(2), "read back after High");
        });

        checks.Run("gpio: an input reads what the outside world pulls it to", () =>
        {
            sim.Pull(3, up: false);
            gpio.OpenPin(3, PinMode.Input);
            Expect.Equal(PinValue.Low, gpio.Read(3), "pulled down");
            sim.Pull(3, up: true);
            Expect.Equal(PinValue.High, gpio.Read(3), "pulled up");
            sim.Pull(3, up: false);
            Expect.Equal(PinValue.Low, gpio.Read(3), "pulled down again");
        });

        checks.Run("gpio: bias flags reach the line and change what an input reads (request and GPIO_V2_LINE_SET_CONFIG_IOCTL)", () =>
        {
            gpio.OpenPin(4, PinMode.InputPullUp);
            Expect.Equal(PinValue.High, gpio.Read(4), "with pull-up");
            Expect.Equal(LinuxGpioBias.PullUp, driver.GetLineInfo(4).Bias, "bias in line info");
            gpio.SetPinMode(4, PinMode.InputPullDown);
            Expect.Equal(PinValue.Low, gpio.Read(4), "after reconfiguring to pull-down");
            Expect.Equal(LinuxGpioBias.PullDown, driver.GetLineInfo(4).Bias, "bias in line info after reconfiguring");
            gpio.SetPinMode(4, PinMode.InputPullUp);
            Expect.Equal(PinValue.High, gpio.Read(4), "after reconfiguring back to pull-up");
        });

        checks.Run("gpio: an input reconfigured as an output drives its initial value, and back", () =>
        {
            gpio.SetPinMode(3, PinMode.Output, PinValue.High);
            Expect.Equal(1, sim.Value(3), "level as an output driving High");
            Expect.True(driver.GetLineInfo(3).IsOutput, "line info says output");
            gpio.SetPinMode(3, PinMode.Input);
            Expect.True(!driver.GetLineInfo(3).IsOutput, "line info says input again");

            // gpio-sim keeps the last driven level on a line turned input until the pull changes (real pins follow
            // the pull at once), so the pull is moved to see the input follow it.
            sim.Pull(3, up: true);
            Expect.Equal(PinValue.High, gpio.Read(3), "pulled up");
            sim.Pull(3, up: false);
            Expect.Equal(PinValue.Low, gpio.Read(3), "pulled down");
        });

        checks.Run("gpio: edges caused by the simulated pull arrive as events, in order, numbered and timestamped", () =>
        {
            sim.Pull(5, up: false);
            gpio.OpenPin(5, PinMode.Input);
            var events = new BlockingCollection<GpioLineEventArgs>();
            PinChangeEventHandler handler = (_, e) => events.Add((GpioLineEventArgs)e);
            gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Rising | PinEventTypes.Falling, handler);
            try
            {
                Expect.Equal(PinEventTypes.Rising | PinEventTypes.Falling, driver.GetLineInfo(5).Edges, "edges in line info");
                // One edge at a time: for a line watching both edges the kernel tells rising from falling by reading
                // the level when its interrupt thread runs (gpiolib-cdev.c, edge_irq_thread), so edges faster than
                // that thread (easy under emulation) would all read as the last level.
                var got = new List<GpioLineEventArgs>();
                foreach (var up in new[] { true, false, true })
                {
                    sim.Pull(5, up);
                    got.AddRange(Take(events, 1));
                }

                Expect.Equal("Rising Falling Rising", string.Join(' ', got.Select(e => e.ChangeType)), "edge kinds");
                Expect.Equal("1 2 3", string.Join(' ', got.Select(e => e.LineSequence)), "line sequence numbers");
                Expect.True(got.All(e => e.PinNumber == 5), "every event names line 5");
                Expect.True(got[0].TimestampNanoseconds > 0 && got[0].TimestampNanoseconds < got[1].TimestampNanoseconds
                    && got[1].TimestampNanoseconds < got[2].TimestampNanoseconds, "timestamps grow");
            }
            finally
            {
                gpio.UnregisterCallbackForPinValueChangedEvent(5, handler);
            }
        });

        checks.Run("gpio: after unregistering, edge detection is off in the kernel and no events come", () =>
        {
            Expect.Equal(PinEventTypes.None, driver.GetLineInfo(5).Edges, "edges in line info");
            var events = new BlockingCollection<PinValueChangedEventArgs>();
            sim.Pull(5, up: false);
            sim.Pull(5, up: true);
            PinChangeEventHandler handler = (_, e) => events.Add(e);
            gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Falling, handler);
            try
            {
                // Edges that happened while detection was off must not be reported now.
                sim.Pull(5, up: false);
                var got = Take(events, 1);
                Expect.Equal(PinEventTypes.Falling, got[0].ChangeType, "the first event after re-registering");
                Expect.True(!events.TryTake(out var extra, TimeSpan.FromMilliseconds(200)), $"no stale events, got {extra?.ChangeType}");
            }
            finally
            {
                gpio.UnregisterCallbackForPinValueChangedEvent(5, handler);
            }
        });

        checks.Run("gpio: a callback that throws is caught and counted, the line's other callback and its next edge still arrive", () =>
        {
            // Line 5 is open, low and without callbacks after the check before. On the event thread an escaping exception
            // would end this process (System.Device.Gpio's own drivers let it); ours keeps it with the callback.
            var events = new BlockingCollection<GpioLineEventArgs>();
            var thrown = 0;
            var reports = new ConcurrentQueue<GpioCallbackFailedEventArgs>();
            PinChangeEventHandler throwing = (_, _) =>
            {
                Interlocked.Increment(ref thrown);
                throw new InvalidOperationException("a subscriber's bug");
            };
            PinChangeEventHandler handler = (_, e) => events.Add((GpioLineEventArgs)e);
            EventHandler<GpioCallbackFailedEventArgs> report = (_, e) => reports.Enqueue(e);
            gpio.CallbackFailed += report;
            gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Rising, throwing);
            gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Rising, handler);
            try
            {
                sim.Pull(5, up: true);
                var first = Take(events, 1)[0];
                sim.Pull(5, up: false);
                sim.Pull(5, up: true);
                var second = Take(events, 1)[0];
                Expect.True(second.LineSequence > first.LineSequence, $"two edges, got sequence numbers {first.LineSequence} and {second.LineSequence}");
                Expect.Equal(2, Volatile.Read(ref thrown), "the throwing callback ran for both edges");
                Expect.Equal(2L, gpio.GetCallbackFailures(5), "failures counted on line 5");
                Expect.Equal(1, reports.Count, "reported once, at the 1st failure");
                Expect.True(reports.TryPeek(out var r) && r.PinNumber == 5 && r.Exception is InvalidOperationException, "the report names line 5 and the exception");
            }
            finally
            {
                gpio.UnregisterCallbackForPinValueChangedEvent(5, throwing);
                gpio.UnregisterCallbackForPinValueChangedEvent(5, handler);
                gpio.CallbackFailed -= report;
            }
        });

        checks.Run("gpio: only the edge kind asked for is reported", () =>
        {
            sim.Pull(6, up: false);
            gpio.OpenPin(6, PinMode.Input);
            var events = new BlockingCollection<GpioLineEventArgs>();
            PinChangeEventHandler handler = (_, e) => events.Add((GpioLineEventArgs)e);
            gpio.RegisterCallbackForPinValueChangedEvent(6, PinEventTypes.Rising, handler);
            try
            {
                Expect.Equal(PinEventTypes.Rising, driver.GetLineInfo(6).Edges, "edges in line info");
                // Each rising edge is waited for before the next: gpio-sim raises a pending interrupt, and two edges
                // before the interrupt is handled would be one (as on real hardware).
                var got = new List<GpioLineEventArgs>();
                sim.Pull(6, up: true);
                got.AddRange(Take(events, 1));
                sim.Pull(6, up: false);
                sim.Pull(6, up: true);
                got.AddRange(Take(events, 1));
                Expect.True(got.All(e => e.ChangeType == PinEventTypes.Rising), $"only rising edges, got {string.Join(' ', got.Select(e => e.ChangeType))}");
                Expect.True(!events.TryTake(out var extra, TimeSpan.FromMilliseconds(200)), $"no third event, got {extra?.ChangeType}");
            }
            finally
            {
                gpio.UnregisterCallbackForPinValueChangedEvent(6, handler);
            }
        });

        checks.Run("gpio: a debounce period reaches the kernel and debounced edges still arrive", () =>
        {
            gpio.SetDebounce(6, TimeSpan.FromMilliseconds(5));
            Expect.Equal(TimeSpan.FromMilliseconds(5), driver.GetLineInfo(6).Debounce, "debounce in line info");

            // A level counts once it has been stable for the period (gpiolib-cdev.c, debounce_work_func): the line
            // rests low for well over 5 ms, or the low pulse would be filtered out and the rising edge with it.
            sim.Pull(6, up: false);
            Thread.Sleep(100);
            var events = new BlockingCollection<GpioLineEventArgs>();
            PinChangeEventHandler handler = (_, e) => events.Add((GpioLineEventArgs)e);
            gpio.RegisterCallbackForPinValueChangedEvent(6, PinEventTypes.Rising, handler);
            try
            {
                Expect.Equal(TimeSpan.FromMilliseconds(5), driver.GetLineInfo(6).Debounce, "debounce kept when edges are turned on");
                sim.Pull(6, up: true);
                Expect.Equal(PinEventTypes.Rising, Take(events, 1)[0].ChangeType, "the debounced edge");
            }
            finally
            {
                gpio.UnregisterCallbackForPinValueChangedEvent(6, handler);
            }
        });

        checks.Run("gpio: a line held by another request is refused with EBUSY, naming the holder", () =>
        {
            using var second = new GpioController(new LinuxGpioDriver(guest.GpioChip));
            var ex = Expect.Throws<DeviceBusyException>(() => second.OpenPin(2, PinMode.Input), "second request of line 2");
            Expect.Equal<int?>(16, ex.Errno, "errno");
            Expect.True(ex.Message.Contains("held by 'gateway'", StringComparison.Ordinal), $"the message names the holder: {ex.Message}");
        });

        checks.Run("gpio: closing a line releases it for others", () =>
        {
            gpio.ClosePin(2);
            Expect.Equal(false, driver.GetLineInfo(2).IsUsed, "line 2 used after closing");
            using var second = new GpioController(new LinuxGpioDriver(guest.GpioChip));
            second.OpenPin(2, PinMode.Input);
            using var probe = new LinuxGpioDriver(guest.GpioChip);
            Expect.Equal<string?>("gateway", probe.GetLineInfo(2).Consumer, "the new holder");
        });

        checks.Run("gpio: the stock GpioController over LinuxGpioDriver waits for an edge the simulated pull makes (WaitForEvent)", () =>
        {
            sim.Pull(1, up: false);
            using var stock = new GpioController(new LinuxGpioDriver(guest.GpioChip));
            stock.OpenPin(1, PinMode.Input);
            using var pull = new Timer(_ => sim.Pull(1, up: true), null, 200, Timeout.Infinite);
            var result = stock.WaitForEvent(1, PinEventTypes.Rising, TimeSpan.FromSeconds(10));
            Expect.True(!result.TimedOut, "an edge came within 10 s");
            Expect.Equal(PinEventTypes.Rising, result.EventTypes, "the edge");
            Expect.Equal(PinValue.High, stock.Read(1), "the level after it");
        });

        checks.Run("gpio: an active-low relay output starts off (line high) and on drives it low", () =>
        {
            using var relay = new DigitalOutput("relay", gpio, 7, activeLow: true, safeOn: false);
            Expect.Equal(1, sim.Value(7), "level of an active-low output that is off");
            relay.Set(true);
            Expect.Equal(0, sim.Value(7), "level when on");
            relay.Set(false);
            Expect.Equal(1, sim.Value(7), "level when off again");
        });

        checks.Run("gpio: disposing the controller releases every line", () =>
        {
            gpio.Dispose();
            using var probe = new LinuxGpioDriver(guest.GpioChip);
            var held = Enumerable.Range(0, Guest.LineNames.Length).Where(i => probe.GetLineInfo(i).IsUsed).ToArray();
            Expect.Equal(string.Empty, string.Join(',', held), "lines still held");
        });
    }

    /// <summary>
    /// A chip that goes away while lines are held (a USB GPIO expander unplugged, an overlay removed): every operation on
    /// the lines fails with a typed error, the event thread does not spin on the dead descriptor, and disposing works.
    /// </summary>
    public static void Unplug(CheckRunner checks, Guest guest)
    {
        checks.Run("gpio: a chip removed while lines are held gives typed errors, and disposing still works", () =>
        {
            var driver = new LinuxGpioDriver(guest.UnplugChip);
            using var gpio = new GpioController(driver);
            gpio.OpenPin(0, PinMode.Input);
            gpio.OpenPin(1, PinMode.Output, PinValue.High);
            PinChangeEventHandler handler = (_, _) => { };
            gpio.RegisterCallbackForPinValueChangedEvent(0, PinEventTypes.Rising, handler);
            File.WriteAllText(guest.UnplugLive, "0");
            Expect.True(!File.Exists(guest.UnplugChip), $"{guest.UnplugChip} still exists after the chip was taken away");
            var read = Expect.Throws<DeviceNotFoundException>(() => gpio.Read(0), "reading an input of the removed chip");
            Expect.Equal<int?>(19, read.Errno, "errno of the read");
            Expect.Throws<DeviceNotFoundException>(() => gpio.Write(1, PinValue.Low), "writing an output of the removed chip");
            // An event thread that polled the dead descriptor in a loop would burn a whole CPU: about 50 ticks here.
            var (threads, ticksBefore) = EventThreadTicks();
            Expect.True(threads == 1, $"expected the chip's one GPIO event thread, found {threads}");
            Thread.Sleep(500);
            var ticks = EventThreadTicks().Ticks - ticksBefore;
            Expect.True(ticks < 10, $"the GPIO event thread used {ticks} ticks (10 ms each) of CPU in 500 ms after the removal: it spins on the dead descriptor");
            gpio.UnregisterCallbackForPinValueChangedEvent(0, handler);
            gpio.Dispose();
            Expect.Throws<DeviceNotFoundException>(() => new LinuxGpioDriver(guest.UnplugChip).Dispose(), "opening the removed chip");
        });
    }

    /// <summary>CPU time (user + system, clock ticks) of this process's GPIO event threads ("GPIO events …"), from /proc.</summary>
    private static (int Threads, long Ticks) EventThreadTicks()
    {
        var threads = 0;
        long ticks = 0;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }

            // pid (comm) state ppid … : comm may hold spaces, so fields are counted after its closing parenthesis.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (!stat[(open + 1)..close].StartsWith("GPIO events", StringComparison.Ordinal))
            {
                continue;
            }

            threads++;
            var fields = stat[(close + 2)..].Split(' ');
            ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture); // utime, stime
        }

        return (threads, ticks);
    }

    private static T[] Take<T>(BlockingCollection<T> events, int count)
        where T : PinValueChangedEventArgs
    {
        var got = new List<T>();
        while (got.Count < count)
        {
            if (!events.TryTake(out var e, EventWait))
            {
                throw new CheckFailedException($"expected {count} event(s) within {EventWait.TotalSeconds} s, got {got.Count}: {string.Join(' ', got.Select(g => g.ChangeType))}");
            }

            got.Add(e);
        }

        return [.. got];
    }
}
