using Gateway.Hardware;
using Gateway.Hardware.Remote;

namespace Gateway.FirmwareSim.Host;

/// <summary>What the firmware-sim commands do.</summary>
internal static class Commands
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Serves the simulated board until cancelled (SIGTERM/Ctrl-C).</summary>
    public static async Task<int> ServeAsync(string socketPath, string? scenarioPath, int? seed, CancellationToken cancellationToken)
    {
        Board.SimulatedBoard board;
        try
        {
            board = SimulatorSetup.Create(scenarioPath, seed, TimeProvider.System);
        }
        catch (Exception ex) when (ex is FormatException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"firmware-sim: {ex.Message}").ConfigureAwait(false);
            return 78; // EX_CONFIG
        }

        using (board)
        {
            var identity = SimulatorSetup.Identity(board);
            await using var server = new RemoteBoardServer(board, board.Faults, Path.GetFullPath(socketPath), identity);
            try
            {
                server.Start();
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                await Console.Error.WriteLineAsync($"firmware-sim: cannot listen on {socketPath}: {ex.Message}").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine($"firmware-sim: {identity} listening on {Path.GetFullPath(socketPath)}");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("firmware-sim: stopping");
            }
        }

        return 0;
    }

    /// <summary>Prints the level of a line of a running simulator (0 or 1); exit 0 on success.</summary>
    public static int Line(string socketPath, int chip, int pin)
    {
        using var connection = new RemoteConnection(Path.GetFullPath(socketPath), CallTimeout);
        try
        {
            var response = connection.Call(new RemoteRequest { Op = RemoteOps.SimLine, Chip = chip, Pin = pin }, "firmware-sim");
            Console.WriteLine(response.Value);
            return 0;
        }
        catch (Exception ex) when (ex is HardwareException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"firmware-sim: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Sends one control request to a running simulator and prints the answer; exit 0 on success.</summary>
    public static int Call(string socketPath, string op, string? argument)
    {
        using var connection = new RemoteConnection(Path.GetFullPath(socketPath), CallTimeout);
        try
        {
            var response = connection.Call(new RemoteRequest { Op = op, Fault = argument }, "firmware-sim");
            if (response.Items is { } items)
            {
                foreach (var item in items)
                {
                    Console.WriteLine(item);
                }

                if (items.Count == 0)
                {
                    Console.WriteLine("(none)");
                }
            }
            else
            {
                Console.WriteLine(response.Message ?? response.Text ?? "ok");
            }

            return 0;
        }
        catch (Exception ex) when (ex is HardwareException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"firmware-sim: {ex.Message}");
            return ex is ArgumentException ? 2 : 1;
        }
    }
}
