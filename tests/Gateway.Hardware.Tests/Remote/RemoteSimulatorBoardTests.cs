using System.Collections.Concurrent;
using System.Device.Gpio;
using System.Net.Sockets;
using System.Text;
using Gateway.Hardware;
using Gateway.Hardware.Gpio;
using Gateway.Hardware.Remote;

namespace Gateway.Hardware.Tests.Remote;

/// <summary>The firmware-sim bus protocol end to end: a real Unix socket between the server and the client board.</summary>
public sealed class RemoteSimulatorBoardTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-remote-").FullName;
    private readonly FakeBoard _board = new();
    private readonly RemoteBoardServer _server;

    public RemoteSimulatorBoardTests()
    {
        _server = new RemoteBoardServer(_board, _board, SocketPath, "fake-sim 1.0");
        _server.Start();
    }

    private string SocketPath => Path.Combine(_dir, "sim.sock");

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Register_writes_and_reads_travel_as_bus_transactions()
    {
        using var board = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var device = board.OpenI2cBus(1).CreateDevice(0x76);

        device.Write([0xF4, 0x25, 0x26]);
        var read = new byte[2];
        device.WriteRead([0xF4], read);

        Assert.Equal([0x25, 0x26], read);
        Assert.Equal(0x25, _board.Registers[0xF4]);
        Assert.Equal("fake-sim 1.0", board.Hello());
    }

    [Fact]
    public void A_nack_on_the_simulated_bus_is_a_BusNackException_at_the_client_naming_the_device()
    {
        using var board = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var device = board.OpenI2cBus(1).CreateDevice(0x40);

        var ex = Assert.Throws<BusNackException>(() => device.ReadByte());
        Assert.Equal("i2c-1@0x40", ex.Device);
        Assert.Contains("no ack from i2c-1@0x40", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fault_injected_through_the_socket_shows_up_on_the_bus_and_clears()
    {
        using var board = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var device = board.OpenI2cBus(1).CreateDevice(0x76);
        using var control = new RemoteConnection(SocketPath, Timeout);

        control.Call(new RemoteRequest { Op = RemoteOps.FaultInject, Fault = "nack chip" }, "cli");
        Assert.Equal(["nack chip"], control.Call(new RemoteRequest { Op = RemoteOps.FaultList }, "cli").Items);
        Assert.Throws<BusNackException>(() => device.ReadByte());

        control.Call(new RemoteRequest { Op = RemoteOps.FaultClear, Fault = "chip" }, "cli");
        device.ReadByte();
    }

    [Fact]
    public void A_line_opened_without_a_mode_is_claimed_as_it_is_and_the_answer_says_what_it_is()
    {
        using var control = new RemoteConnection(SocketPath, Timeout);
        _board.Gpio.Edge(6, PinEventTypes.Rising); // the line is high before anyone claims it

        var answer = control.Call(new RemoteRequest { Op = RemoteOps.GpioOpen, Chip = 0, Pin = 6 }, "cli");

        Assert.Equal("Input", answer.Text);
        Assert.Equal(1, answer.Value);
        var again = Assert.Throws<ArgumentException>(() => control.Call(new RemoteRequest { Op = RemoteOps.GpioOpen, Chip = 0, Pin = 6 }, "cli")); // badRequest
        Assert.Contains("already open", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_fault_is_a_clear_error_and_the_connection_stays_up()
    {
        using var control = new RemoteConnection(SocketPath, Timeout);

        var ex = Assert.Throws<ArgumentException>(() => control.Call(new RemoteRequest { Op = RemoteOps.FaultInject, Fault = "melt chip" }, "cli"));
        Assert.Contains("unknown fault 'melt chip'", ex.Message, StringComparison.Ordinal);
        Assert.Empty(control.Call(new RemoteRequest { Op = RemoteOps.FaultList }, "cli").Items!);
    }

    [Fact]
    public async Task Malformed_lines_get_a_bad_request_answer_and_the_connection_stays_up()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), TestContext.Current.CancellationToken);
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.UTF8);

        await stream.WriteAsync("this is not json\n{\"id\":7,\"op\":\"nope\"}\n{\"id\":8,\"op\":\"hello\"}\n"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Contains("\"error\":\"badRequest\"", await reader.ReadLineAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var unknown = System.Text.Json.JsonSerializer.Deserialize(
            (await reader.ReadLineAsync(TestContext.Current.CancellationToken))!, RemoteJsonContext.Default.RemoteResponse)!;
        Assert.Equal(7, unknown.Id);
        Assert.Equal(RemoteErrors.BadRequest, unknown.Error);
        Assert.Equal("unknown operation 'nope'", unknown.Message);
        Assert.Contains("fake-sim 1.0", await reader.ReadLineAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public void Gpio_lines_open_write_and_read_through_the_socket_and_names_resolve()
    {
        using var board = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var gpio = board.OpenGpioChip(0);

        Assert.Equal(8, gpio.PinCount);
        Assert.Equal(3, gpio.ResolvePin("L3"));
        gpio.OpenPin(3, PinMode.Output, PinValue.High);
        Assert.Equal(PinValue.High, _board.Gpio.ValueOf(3));
        gpio.Write(3, PinValue.Low);
        Assert.Equal(PinValue.Low, _board.Gpio.ValueOf(3));
        Assert.Equal(PinValue.Low, gpio.Read(3));
    }

    [Fact]
    public async Task Edges_on_the_simulated_board_arrive_at_the_client_callback()
    {
        using var board = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var gpio = board.OpenGpioChip(0);
        gpio.OpenPin(5, PinMode.InputPullUp);
        var edges = new TaskCompletionSource<PinValueChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Falling, (_, e) => edges.TrySetResult(e));

        _board.Gpio.Edge(5, PinEventTypes.Falling);

        var edge = await edges.Task.WaitAsync(Timeout, TestContext.Current.CancellationToken);
        Assert.Equal(5, edge.PinNumber);
        Assert.Equal(PinEventTypes.Falling, edge.ChangeType);
        Assert.Equal(1u, Assert.IsType<GpioLineEventArgs>(edge).LineSequence);
    }

    [Fact]
    public async Task A_throwing_callback_does_not_stop_the_other_callback_the_next_edge_or_the_connection()
    {
        using var board = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var gpio = board.OpenGpioChip(0);
        gpio.OpenPin(5, PinMode.InputPullUp);
        var thrown = 0;
        var seen = System.Threading.Channels.Channel.CreateUnbounded<uint>();
        gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Falling, (_, _) =>
        {
            Interlocked.Increment(ref thrown);
            throw new InvalidOperationException("a subscriber's bug");
        });
        gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Falling, (_, e) => seen.Writer.TryWrite(((GpioLineEventArgs)e).LineSequence));

        _board.Gpio.Edge(5, PinEventTypes.Falling);
        Assert.Equal(1u, await seen.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));
        _board.Gpio.Edge(5, PinEventTypes.Falling);
        Assert.Equal(2u, await seen.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));

        Assert.Equal(2, Volatile.Read(ref thrown));
        Assert.Equal(2, gpio.GetCallbackFailures(5));
        Assert.Equal(PinValue.Low, gpio.Read(5)); // the connection still answers
    }

    [Fact]
    public async Task Each_callback_gets_only_the_edge_kinds_it_asked_for()
    {
        using var board = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var gpio = board.OpenGpioChip(0);
        gpio.OpenPin(5, PinMode.Input);
        var rising = new ConcurrentQueue<PinEventTypes>();
        var falling = System.Threading.Channels.Channel.CreateUnbounded<PinEventTypes>();
        gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Rising, (_, e) => rising.Enqueue(e.ChangeType));
        gpio.RegisterCallbackForPinValueChangedEvent(5, PinEventTypes.Falling, (_, e) => falling.Writer.TryWrite(e.ChangeType));

        _board.Gpio.Edge(5, PinEventTypes.Rising);
        _board.Gpio.Edge(5, PinEventTypes.Falling);

        // Events are handled in order on one reader: once the falling edge is in, the rising one has been handled.
        Assert.Equal(PinEventTypes.Falling, await falling.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.False(falling.Reader.TryRead(out _), "the falling-edge callback also got the rising edge");
        Assert.Equal([PinEventTypes.Rising], rising);
    }

    [Fact]
    public void An_event_handler_that_throws_drops_the_connection_so_the_next_request_reconnects_instead_of_timing_out()
    {
        using var client = new RemoteConnection(SocketPath, Timeout);
        client.EventReceived += _ => throw new InvalidOperationException("a handler's bug");
        client.Call(new RemoteRequest { Op = RemoteOps.GpioOpen, Chip = 0, Pin = 5, Mode = nameof(PinMode.InputPullUp) }, "cli");
        client.Call(new RemoteRequest { Op = RemoteOps.GpioSubscribe, Chip = 0, Pin = 5, Edges = "falling" }, "cli");

        _board.Gpio.Edge(5, PinEventTypes.Falling);

        // The request may meet the connection as it is dropped (it fails with the cause) or after (it reconnects);
        // what it must never do is wait out its timeout on a connection whose reader is gone.
        RemoteResponse? answer = null;
        for (var attempt = 0; attempt < 3 && answer is null; attempt++)
        {
            try
            {
                answer = client.Call(new RemoteRequest { Op = RemoteOps.Hello }, "cli");
            }
            catch (HardwareException ex)
            {
                Assert.IsNotType<BusTimeoutException>(ex);
            }
        }

        Assert.NotNull(answer);
        Assert.Equal("fake-sim 1.0", answer.Text);
    }

    [Fact]
    public async Task A_closed_connection_releases_its_lines_on_the_board()
    {
        using (var board = new RemoteSimulatorBoard(SocketPath, Timeout))
        {
            var gpio = board.OpenGpioChip(0);
            gpio.OpenPin(2, PinMode.Input);
            Assert.Equal(1, _board.Gpio.OpenCount);
        }

        var deadline = DateTime.UtcNow + Timeout;
        while (_board.Gpio.OpenCount != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, _board.Gpio.OpenCount);
    }

    [Fact]
    public void A_line_held_by_another_connection_is_busy()
    {
        using var first = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var second = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var a = first.OpenGpioChip(0);
        using var b = second.OpenGpioChip(0);
        a.OpenPin(1, PinMode.Input);

        Assert.Throws<DeviceBusyException>(() => b.OpenPin(1, PinMode.Input));
    }

    [Fact]
    public async Task One_wire_files_are_read_through_the_socket()
    {
        using var board = new RemoteSimulatorBoard(SocketPath, Timeout);

        Assert.Equal(["28-000005e2fdc3"], board.OneWire.EnumerateDevices(0x28));
        Assert.Equal("t=23125\n", await board.OneWire.ReadFileAsync("28-000005e2fdc3", "w1_slave", TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<DeviceNotFoundException>(() => board.OneWire.ReadFileAsync("28-ffffffffffff", "w1_slave", TestContext.Current.CancellationToken));
    }

    [Fact]
    public void A_simulator_that_is_not_running_is_a_clear_error()
    {
        using var board = new RemoteSimulatorBoard(Path.Combine(_dir, "absent.sock"), Timeout);
        using var device = board.OpenI2cBus(1).CreateDevice(0x76);

        var ex = Assert.Throws<DeviceNotFoundException>(() => device.ReadByte());
        Assert.Contains("is it running?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_the_simulator_restarts_the_client_reconnects_and_reopens_its_lines()
    {
        using var board = new RemoteSimulatorBoard(SocketPath, Timeout);
        using var gpio = board.OpenGpioChip(0);
        gpio.OpenPin(4, PinMode.Output, PinValue.High);

        await _server.DisposeAsync();
        var fresh = new FakeBoard();
        await using var restarted = new RemoteBoardServer(fresh, fresh, SocketPath, "fake-sim 1.0");
        restarted.Start();

        // The first call after the restart may fail with the lost connection; the next one reconnects.
        try
        {
            gpio.Write(4, PinValue.Low);
        }
        catch (HardwareException)
        {
            gpio.Write(4, PinValue.Low);
        }

        var deadline = DateTime.UtcNow + Timeout;
        while (fresh.Gpio.OpenCount == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, fresh.Gpio.OpenCount);
    }
}
