using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.IntegrationTests.Infrastructure;
using Gateway.IntegrationTests.Links;

namespace Gateway.IntegrationTests.Siege;

/// <summary>
/// The end-to-end siege of issue 14: <see cref="SiegeSettings.Duration"/> of mixed hostile traffic at once on every
/// listener (TCP, WebSocket, UDP command port, web console) and from a hostile upstream, while the board samples every
/// 20 ms to an honest acknowledging upstream and an operator sends signed commands over TCP, UDP and the web console.
/// Runs alone: it loads the machine, and other tests' timing should not share it.
/// </summary>
[CollectionDefinition(nameof(SiegeTests), DisableParallelization = true)]
[Collection(nameof(SiegeTests))]
public sealed class SiegeTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>A generous bound: the gateway idles at about 74 MiB (README, Memory).</summary>
    private const double RssBoundMib = 300;

    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(120);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Under_a_siege_on_every_listener_and_link_the_gateway_stays_up_answers_the_operator_and_loses_nothing()
    {
        var settings = SiegeSettings.FromEnvironment();
        var ledger = new SiegeLedger();
        await using var honest = new TestUpstream();
        honest.Start();
        await using var hostile = new HostileUpstream(ledger, settings);
        hostile.Start();
        var gateway = await SiegeGateway.StartAsync(_dir, honest.Port, hostile.Port);
        using var process = gateway.Process;
        await honest.WaitForSeqAsync(1, SiegeGateway.StartTimeout);

        var problems = new List<string>();
        double peakMib;
        var operatorRole = new SiegeOperator(gateway, ledger, settings);
        var udp = new UdpAttacker(gateway.UdpPort, ledger, settings);
        await using (var watch = new ProcessWatch(process.Id))
        {
            using var clock = new CancellationTokenSource(settings.Duration);
            using var siege = CancellationTokenSource.CreateLinkedTokenSource(clock.Token, watch.Died);
            var token = siege.Token;
            var operatorLine = await OperatorLine.ConnectAsync(gateway.TcpPort, token); // before anyone can hold the slots
            output.WriteLine($"siege: {settings.Duration.TotalSeconds:0} s ({SiegeSettings.Variable}), gateway pid {process.Id}, state {gateway.StateDirectory}{(settings.Skip.Count > 0 ? $"; left out ({SiegeSettings.SkipVariable}): {string.Join(", ", settings.Skip)}" : string.Empty)}");
            ledger.Begin();
            hostile.Begin(token);
            var tcp = new TcpListenerAttacker(gateway.TcpPort, ledger, settings);
            var ws = new WebSocketListenerAttacker(gateway.WebSocketPort, ledger, settings);
            var web = new WebConsoleAttacker(gateway.HttpPort, ledger, settings);
            Task[] everyone =
            [
                operatorRole.RunTcpAsync(Task.FromResult(operatorLine), token),
                operatorRole.RunUdpAsync(token, watch.Died),
                operatorRole.RunWebAsync(token),
                tcp.SendLinesAsync(token),
                tcp.HoldIdleAsync(8, token),
                tcp.SlowLorisAsync(8, token),
                tcp.ChurnAsync(token),
                ws.SendFramesAsync(token),
                ws.HoldIdleAsync(5, token),
                ws.BadHandshakesAsync(token),
                udp.SendDatagramsAsync(token),
                udp.ReplayAsync(token),
                udp.FloodAuditAsync(token),
                web.WrongTokensAsync(0, token),
                web.WrongTokensAsync(1, token),
                web.BadBodiesAsync(token),
                web.ViewerBadCommandsAsync(token),
                web.HoldIdleAsync(64, token),
            ];
            try
            {
                await Task.WhenAll(everyone).WaitAsync(settings.Duration + SiegeOperator.ResultTimeout + TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                problems.Add("the siege's senders did not finish within a minute of its end (one is stuck waiting on the gateway)");
            }
            catch (Exception ex)
            {
                problems.Add($"a sender of the siege itself failed (a defect of the test, or a gateway answer it did not expect): {ex}");
            }

            watch.Sample();
            peakMib = watch.PeakMib;
            if (watch.DiedAfter is { } died)
            {
                var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
                Report(ledger, peakMib, watch.Samples, honest, hostile, udp, operatorRole);
                Assert.Fail($"the gateway stopped {died.TotalSeconds:0.0} s into the siege, exit code {code} (a stop nobody asked for must not exit 0); " +
                    $"the last hostile messages sent:\n  {string.Join("\n  ", ledger.Recent)}\ngateway output (last 60 lines):\n{Tail(process, 60)}");
            }
        }

        // The siege is over: the honest upstream must get every seq assigned so far, with no gap.
        var status = await FinalStatusAsync(gateway);
        var lastSeq = status.GetProperty("outbox").GetProperty("lastSeq").GetInt64();
        var dropped = status.GetProperty("outbox").GetProperty("dropped").GetInt64();
        var gaps = status.GetProperty("outbox").GetProperty("gaps").GetInt64();
        var missing = await WaitForEverySeqAsync(honest, lastSeq);

        process.Signal(Signals.SIGTERM);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var audit = AuditTrail.Read(gateway.StateDirectory);
        var storedButMissing = DeliveryCheck.Missing(gateway.DatabasePath, honest.Received.Select(r => r.Seq).ToHashSet());
        Report(ledger, peakMib, -1, honest, hostile, udp, operatorRole);
        output.WriteLine($"readings delivered to the honest upstream: {honest.Received.Count} (seq 1 to {honest.MaxSeq}; lastSeq at the end of the siege {lastSeq}, dropped {dropped}, gaps {gaps})");
        output.WriteLine($"audit: {audit.Files} files, {audit.Lines} lines, {audit.Unreadable} unreadable");
        output.WriteLine($"links at the end: {status.GetProperty("links")}");

        if (missing.Count > 0)
        {
            problems.Add($"{missing.Count} seqs up to {lastSeq} never reached the honest upstream: {Ranges(missing)}");
        }

        if (dropped != 0 || gaps != 0)
        {
            problems.Add($"the outbox dropped {dropped} readings in {gaps} gaps (none expected)");
        }

        if (storedButMissing.Count > 0)
        {
            problems.Add($"{storedButMissing.Count} committed seqs are neither delivered nor stored: {Ranges(storedButMissing)}");
        }

        if (exitCode != 0)
        {
            problems.Add($"SIGTERM after the siege: exit code {exitCode}, expected 0");
        }

        if (peakMib > RssBoundMib)
        {
            problems.Add($"peak RSS {peakMib:0.0} MiB, above the bound of {RssBoundMib} MiB");
        }

        if (ledger.Failures.Count > 0)
        {
            problems.Add($"{ledger.Failures.Count} of {ledger.CommandsSent} operator commands were not answered ok:\n    {string.Join("\n    ", ledger.Failures.Take(40))}");
        }

        var lostFromAudit = ledger.Accepted.Keys.Where(id => audit.Runs(id) == 0).ToList();
        if (lostFromAudit.Count > 0)
        {
            problems.Add($"{lostFromAudit.Count} of {ledger.Accepted.Count} accepted commands are missing from the audit (audit.log and its rotations), e.g. {string.Join(", ", lostFromAudit.Take(10))}");
        }

        var ranTwice = audit.RanTwice().ToList();
        if (ranTwice.Count > 0)
        {
            problems.Add($"{ranTwice.Count} commands ran more than once (a replay ran): {string.Join(", ", ranTwice.Take(10))}");
        }

        var serverErrors = ledger.Outcomes.Where(o => o.Key.Contains("HTTP 500", StringComparison.Ordinal)).ToList();
        if (serverErrors.Count > 0)
        {
            problems.Add($"the web console answered hostile requests with 500 (bad input must get a clear 4xx): {string.Join("; ", serverErrors.Select(e => $"{e.Key} ×{e.Value}"))}");
        }

        if (udp.Amplified.Count > 0)
        {
            problems.Add($"the UDP port answered unauthenticated datagrams with more bytes than they had (reflection with amplification): {string.Join("; ", udp.Amplified.Take(10))}");
        }

        if (settings.Skip.Count > 0)
        {
            problems.Add($"a triage run: {SiegeSettings.SkipVariable} left out {string.Join(", ", settings.Skip)}; a run that leaves anything out never passes");
        }

        Assert.True(problems.Count == 0, $"the siege found {problems.Count} problems:\n  - {string.Join("\n  - ", problems)}\ngateway output (last 40 lines):\n{Tail(process, 40)}");
    }

    // The operator asks for 'status' on a fresh connection (after the siege, so any slot is free again).
    private static async Task<JsonElement> FinalStatusAsync(SiegeGateway gateway)
    {
        using var line = await OperatorLine.ConnectAsync(gateway.TcpPort, CancellationToken.None);
        var result = await line.SendAsync(SiegeGateway.Sign($"final-status-{Guid.NewGuid():N}", "status", null), SiegeOperator.ResultTimeout);
        Assert.NotNull(result);
        Assert.True(result.Ok, $"'status' after the siege: {result.Code}: {result.Message}");
        using var data = JsonDocument.Parse(result.Data!);
        return data.RootElement.Clone();
    }

    private static async Task<List<long>> WaitForEverySeqAsync(TestUpstream honest, long lastSeq)
    {
        var deadline = DateTime.UtcNow + Drain;
        while (true)
        {
            var received = honest.Received.Select(r => r.Seq).ToHashSet();
            var missing = Enumerable.Range(1, (int)lastSeq).Select(i => (long)i).Where(s => !received.Contains(s)).ToList();
            if (missing.Count == 0 || DateTime.UtcNow > deadline)
            {
                return missing;
            }

            await Task.Delay(200);
        }
    }

    private void Report(SiegeLedger ledger, double peakMib, int samples, TestUpstream honest, HostileUpstream hostile, UdpAttacker udp, SiegeOperator operatorRole)
    {
        output.WriteLine($"peak RSS: {peakMib:0.0} MiB{(samples >= 0 ? $" ({samples} samples)" : string.Empty)} (bound {RssBoundMib} MiB)");
        output.WriteLine($"readings received by the honest upstream so far: {honest.Received.Count} (max seq {honest.MaxSeq}, {honest.Hellos} connections)");
        output.WriteLine($"hostile upstream: the gateway's link connected {hostile.Connections} times");
        output.WriteLine($"operator: {operatorRole.WebLogins} web console logins; UDP reflection: {udp.Amplification}");
        output.WriteLine(ledger.Describe());
    }

    private static string Tail(GatewayProcess process, int lines)
    {
        var all = process.Stdout.Concat(process.Stderr.Select(l => "stderr: " + l)).ToList();
        return string.Join('\n', all.Skip(Math.Max(0, all.Count - lines)));
    }

    private static string Ranges(List<long> seqs)
    {
        var text = new StringBuilder();
        for (var i = 0; i < seqs.Count && i < 2000; i++)
        {
            var start = seqs[i];
            while (i + 1 < seqs.Count && seqs[i + 1] == seqs[i] + 1)
            {
                i++;
            }

            text.Append(CultureInfo.InvariantCulture, $"{(text.Length > 0 ? ", " : string.Empty)}{start}{(seqs[i] != start ? $"–{seqs[i]}" : string.Empty)}");
            if (text.Length > 400)
            {
                return text + ", …";
            }
        }

        return text.ToString();
    }
}
