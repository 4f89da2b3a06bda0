using System.CommandLine;
using Gateway.Console.Upstream;
using Gateway.Console.Views;
using Gateway.Protocol.Transport;
using Spectre.Console;

namespace Gateway.Console.Cli;

/// <summary>
/// <c>gwctl listen</c>: be an upstream for gateways — accept their TCP and WebSocket links, acknowledge their readings,
/// de-duplicate, report gaps, optionally record — and relay commands to them from a control port.
/// </summary>
internal static class ListenVerb
{
    public static Command Build(Option<bool> json, Option<ColorMode> color, Func<ColorMode, Terminal> terminals)
    {
        var tcp = new Option<HostEndpoint?>("--tcp") { HelpName = "host:port", Description = "accept gateways' TCP links here (their Gateway:Upstream:Tcp:Endpoint), e.g. 127.0.0.1:7000; port 0: any free port", CustomParser = r => GwctlCli.HostPortArgument(r, allowPortZero: true) };
        var ws = new Option<HostEndpoint?>("--ws") { HelpName = "host:port", Description = "accept gateways' WebSocket links here, at /ws (their Gateway:Upstream:WebSocket:Url), e.g. 127.0.0.1:7001", CustomParser = r => GwctlCli.HostPortArgument(r, allowPortZero: true) };
        var control = new Option<HostEndpoint?>("--control") { HelpName = "host:port", Description = "open a control port here: 'gwctl send listen://<host:port>/<device> …' relays commands down that device's link", CustomParser = r => GwctlCli.HostPortArgument(r, allowPortZero: true) };
        var record = new Option<string?>("--record", "-r") { HelpName = "file", Description = "append every new reading, event and gap to this file: .csv for CSV, anything else NDJSON; an existing recording is continued without duplicates" };
        var maxConnections = new Option<int?>("--max-connections") { HelpName = "n", Description = "connections per listener (default 256); one more is refused" };
        maxConnections.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 100_000)
            {
                r.AddError("--max-connections: expected 1 to 100000");
            }
        });
        var idle = new DurationOption("--idle-timeout", TimeSpan.FromSeconds(60), "drop a gateway silent this long (gateways ping every 15s)");
        var command = new Command("listen", "be an upstream for gateways: accept their links, acknowledge and de-duplicate their readings, report gaps, record, and show them live (one line per reading when not on a terminal)")
        {
            tcp, ws, control, record, maxConnections, idle.Option,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(tcp) is null && r.GetValue(ws) is null)
            {
                r.AddError("listen needs --tcp and/or --ws, e.g. gwctl listen --tcp 127.0.0.1:7000");
            }
        });
        command.SetAction((parse, ct) =>
        {
            var terminal = terminals(parse.GetValue(color));
            var options = new ListenOptions
            {
                Tcp = parse.GetValue(tcp),
                WebSocket = parse.GetValue(ws),
                Control = parse.GetValue(control),
                RecordPath = parse.GetValue(record),
                MaxConnections = parse.GetValue(maxConnections) ?? 256,
                IdleTimeout = idle.Get(parse),
            };
            return GwctlCli.Guard(terminal, () => RunAsync(terminal, options, parse.GetValue(json), ct));
        });
        return command;
    }

    private static async Task<int> RunAsync(Terminal terminal, ListenOptions options, bool json, CancellationToken token)
    {
        var time = TimeProvider.System;
        await using var recording = options.RecordPath is null ? null : Recording.Open(options.RecordPath);
        var book = new DeviceBook();
        foreach (var (device, seq) in recording?.Existing ?? [])
        {
            if (Protocol.Commands.CommandFields.IsToken(device) && seq is >= 1 and <= SeqSet.MaxSeq)
            {
                book.GetOrAdd(device)?.Preload(seq);
            }
        }

        var live = terminal.StdoutIsTerminal && !json;
        var liveOutput = live ? new LiveListenOutput(time) : null;
        IListenOutput output = liveOutput ?? (IListenOutput)new LineListenOutput(terminal.OutWriter, terminal.ErrorWriter, json);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var context = new ListenContext(options, book, recording, output, time, stop);
        var listening = new List<string>();
        await using (var server = new ListenServer(context))
        {
            await server.StartAsync(stop.Token).ConfigureAwait(false);
            if (server.TcpBound is { } t)
            {
                listening.Add($"tcp://{t}");
                output.Notice(NoticeLevel.Info, $"listening on tcp://{t} (gateways: Gateway:Upstream:Tcp:Endpoint={t})");
            }

            if (server.WebSocketUrl is { } w)
            {
                listening.Add(w);
                output.Notice(NoticeLevel.Info, $"listening on {w} (gateways: Gateway:Upstream:WebSocket:Url={w})");
            }

            if (server.ControlBound is { } c)
            {
                listening.Add($"control {c}");
                output.Notice(NoticeLevel.Info, $"control port {c} (gwctl send listen://{c}/<device> <command>)");
            }

            if (recording is { DroppedBytes: > 0 })
            {
                output.Notice(NoticeLevel.Warning, $"{recording.Path} ended in an incomplete line ({recording.DroppedBytes} bytes, left by an interrupted run, never acknowledged); cut it off: the gateway sends that reading again");
            }

            if (recording is not null)
            {
                output.Notice(NoticeLevel.Info, recording.Existing.Count == 0
                    ? $"recording to {recording.Path}"
                    : $"recording to {recording.Path}, continuing after its {recording.Existing.Count} readings and events");
            }

            if (live)
            {
                await LiveAsync(terminal, listening, recording, book, liveOutput!, time, stop.Token).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C, SIGTERM, or a failed recording
                }
            }
        }

        if (context.Failure is { } failure)
        {
            throw new GwctlException(ExitCodes.IoError, $"recording to {options.RecordPath} failed: {failure.Message}; stopped. Nothing after the failure was acknowledged, so the gateways still hold it and will send it again.", failure);
        }

        long received = 0, duplicates = 0, missing = 0;
        foreach (var device in book.Devices)
        {
            var totals = device.Totals();
            received += totals.Received;
            duplicates += totals.Duplicates;
            missing += totals.Missing;
        }

        await terminal.ErrorWriter.WriteLineAsync(
            $"gwctl: {received} readings and events from {book.Devices.Count} device(s); {duplicates} duplicates dropped; {missing} missing"
            + (recording is null ? string.Empty : $"; {recording.Lines} lines recorded to {recording.Path}")).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task LiveAsync(Terminal terminal, IReadOnlyList<string> listening, Recording? recording, DeviceBook book, LiveListenOutput notices, TimeProvider time, CancellationToken token)
    {
        ListenSnapshot Snapshot()
        {
            var second = time.GetTimestamp() / time.TimestampFrequency;
            return new ListenSnapshot(
                listening,
                recording is null ? null : $"{recording.Path} ({recording.Lines} lines)",
                [.. book.Devices.Select(d => d.Snapshot(second))],
                notices.Notices,
                time.GetUtcNow());
        }

        await terminal.Out.Live(ListenView.Render(Snapshot(), terminal.Out.Profile.Height))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async ctx =>
            {
                while (!token.IsCancellationRequested)
                {
                    ctx.UpdateTarget(ListenView.Render(Snapshot(), terminal.Out.Profile.Height));
                    ctx.Refresh();
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                ctx.UpdateTarget(ListenView.Render(Snapshot(), terminal.Out.Profile.Height));
            }).ConfigureAwait(false);
    }
}
