using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Hardware;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Commands;

/// <summary>
/// Every command from every link goes through here: decode → authenticate → authorize → validate → run (with a
/// timeout) → one <see cref="ResultMessage"/>, correlated by id, and one audit record. The order of the checks is
/// the order of the codes in docs/protocol.md; nothing runs until every check has passed, so a refused command has
/// no side effect. A repeated id within the replay window gets the first result back without running again.
/// </summary>
internal sealed partial class CommandPipeline : IDisposable
{
    private readonly ReplayJournal _journal;
    private readonly Lock _journalLock = new();
    private readonly ILogger _logger;
    private string? _journalTrouble;
    private readonly DateTimeOffset? _uncleanStart; // set when the last stop was not clean: see ReplayJournal
    private readonly CommandOptions _options;
    private readonly string _deviceId;
    private readonly Dictionary<string, ICommandHandler> _handlers;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ReplayGuard _replay;
    private readonly SemaphoreSlim _inFlight;
    private readonly CommandDeadlines _deadlines;
    private readonly Lock _keyLock = new();
    private readonly Dictionary<string, TokenBucket> _keyBuckets = new(StringComparer.Ordinal);

    /// <summary>Creates the pipeline.</summary>
    /// <param name="options">Keys and limits.</param>
    /// <param name="gateway">The device id and the state directory (where the replay memory is kept).</param>
    /// <param name="handlers">The commands.</param>
    /// <param name="audit">The audit.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where trouble with the replay memory on disk is reported.</param>
    public CommandPipeline(CommandOptions options, GatewayOptions gateway, IEnumerable<ICommandHandler> handlers, AuditLog audit, TimeProvider time, ILogger<CommandPipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gateway);
        _options = options;
        _deviceId = gateway.DeviceId;
        _handlers = handlers.ToDictionary(h => h.Name, StringComparer.Ordinal);
        _audit = audit;
        _time = time;

        // Timestamps are accepted within ±ClockSkew, so a nonce must be remembered for the whole 2 × ClockSkew span.
        _replay = new ReplayGuard(2 * options.ClockSkew + TimeSpan.FromSeconds(1), capacity: 100_000);

        // Issue 14, finding 5: what was admitted before a restart is still a repeat for the rest of its window.
        _logger = logger ?? NullLogger<CommandPipeline>.Instance;
        _journal = new ReplayJournal(gateway.StateDirectory, time);
        var now = time.GetUtcNow();
        foreach (var remembered in _journal.Load())
        {
            _replay.Restore(remembered, now);
        }

        if (!_journal.LastStopWasClean)
        {
            // The journal syncs in groups: a power loss may have taken its last moment. Whatever ran then was signed
            // before this start, so refusing unknown commands signed before it closes that gap; it closes by itself
            // once ClockSkew has passed (older signatures are expired anyway).
            _uncleanStart = now;
            LogUncleanStart(_logger, options.ClockSkew.TotalSeconds);
        }

        _journal.Rewrite(_replay.Snapshot(now));
        NoteJournal();
        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        _deadlines = new CommandDeadlines(options.Timeout, time);
    }

    /// <summary>A new source of commands (a connection, the UDP port) with its own rate limit.</summary>
    public CommandSource OpenSource(string link, string peer) => new(link, peer, _options.RatePerLink, _time);

    /// <summary>Handles one command and returns its result; never throws for anything the peer sent.</summary>
    public async Task<ResultMessage> HandleAsync(CommandMessage command, CommandSource source, CancellationToken cancellationToken) =>
        (await RunAsync(command, source, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>
    /// Handles one command: its result, and whether the sender proved a configured key (what a UDP reply may cost,
    /// docs/protocol.md "UDP"). Never throws for anything the peer sent: an unexpected failure inside is logged with
    /// the peer, audited and answered <c>failed</c>; only <paramref name="cancellationToken"/> (the gateway stopping)
    /// ends it with <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<CommandOutcome> RunAsync(CommandMessage command, CommandSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(source);
        var started = _time.GetTimestamp();
        var authenticated = false;
        CommandOutcome outcome;
        try
        {
            outcome = await Decide(command, source, started, () => authenticated = true, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Defence in depth (issue 14): whatever the parser let through, one command never takes a link down.
            var message = $"the gateway could not handle this command ({ex.GetType().Name}); it did not run";
            _audit.Record(new AuditLog.Entry(_time.GetUtcNow(), source.Link, source.Peer, command.Key, command.Id, command.Name, null,
                ResultCodes.Failed, $"{message}: {ex.Message}", _time.GetElapsedTime(started).TotalMilliseconds, false, authenticated));
            outcome = new CommandOutcome(new ResultMessage(command.Id, false, ResultCodes.Failed, message), authenticated);
        }

        if (Metrics.GatewayMeter.Commands.Enabled)
        {
            Metrics.GatewayMeter.Commands.Add(
                1,
                new KeyValuePair<string, object?>("code", outcome.Result.Ok ? "ok" : outcome.Result.Code ?? ResultCodes.Failed),
                new KeyValuePair<string, object?>("link", source.Link));
        }

        return outcome;
    }

    private async Task<CommandOutcome> Decide(CommandMessage command, CommandSource source, long started, Action authenticatedNow, CancellationToken cancellationToken)
    {
        var argsBytes = command.Args is null ? 0 : Encoding.UTF8.GetByteCount(command.Args);
        var audited = new AuditLog.Entry(_time.GetUtcNow(), source.Link, source.Peer, command.Key, command.Id, command.Name,
            argsBytes <= _options.MaxArgsBytes ? command.Args : null, "ok", null, 0, false, false);

        CommandOutcome Refuse(string code, string message)
        {
            _audit.Record(audited with { Outcome = code, Detail = message, Milliseconds = _time.GetElapsedTime(started).TotalMilliseconds });
            return new CommandOutcome(new ResultMessage(command.Id, false, code, message), audited.Authenticated);
        }

        // Decode: size and rate first, so floods and oversized input cost nothing more.
        if (argsBytes > _options.MaxArgsBytes)
        {
            return Refuse(ResultCodes.TooLarge, $"'args' is {argsBytes} bytes; at most {_options.MaxArgsBytes} are accepted (Gateway:Commands:MaxArgsBytes)");
        }

        if (!source.TryTake())
        {
            return Refuse(ResultCodes.RateLimited, $"more than {_options.RatePerLink} commands per second on this connection");
        }

        if (command.Key is null || command.Signature is null)
        {
            return Refuse(ResultCodes.NotSigned, "commands must be signed: 'key' and 'sig' are required (docs/protocol.md, Commands)");
        }

        if (FieldProblem(command) is { } problem)
        {
            return Refuse(ResultCodes.BadField, problem);
        }

        string canonicalArgs;
        JsonElement args; // parsed once, here: the handler gets the same object (issue 17, item 5)
        try
        {
            canonicalArgs = CommandSigning.CanonicalArgs(command.Args, out args);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
        {
            // InvalidOperationException: a lone surrogate escape (\ud800) in a string, which no UTF-8 text can carry.
            return Refuse(ResultCodes.BadField, ex is FormatException ? ex.Message : $"'args' is not valid JSON text: {ex.Message}");
        }

        // Authenticate.
        if (!_options.Keys.TryGetValue(command.Key, out var key))
        {
            return Refuse(ResultCodes.UnknownKey, _options.Keys.Count == 0
                ? "this gateway has no command keys configured (Gateway:Commands:Keys)"
                : $"no key '{command.Key}' is configured");
        }

        var canonical = CommandSigning.CanonicalString(command.Key, command.Device!, command.Id, command.Name!, command.Timestamp!, command.Nonce!, canonicalArgs);
        if (!CommandSigning.Verify(key.Secret, canonical, command.Signature))
        {
            return Refuse(ResultCodes.BadSignature, "the signature does not match the command (check the secret and the canonical string, docs/protocol.md)");
        }

        // Authenticated from here on: what follows is audited line by line and may be answered in full.
        authenticatedNow();
        audited = audited with { Authenticated = true };

        if (!string.Equals(command.Device, _deviceId, StringComparison.Ordinal))
        {
            return Refuse(ResultCodes.WrongDevice, $"the command is for device '{command.Device}', this is '{_deviceId}'");
        }

        var now = _time.GetUtcNow();
        var signedAt = DateTimeOffset.Parse(command.Timestamp!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if (now - signedAt > _options.ClockSkew)
        {
            return Refuse(ResultCodes.Expired, $"signed at {command.Timestamp}, {(now - signedAt).TotalSeconds:0.#}s ago; commands are accepted for {_options.ClockSkew.TotalSeconds:0.#}s (check the sender's clock)");
        }

        if (signedAt - now > _options.ClockSkew)
        {
            return Refuse(ResultCodes.Future, $"signed at {command.Timestamp}, {(signedAt - now).TotalSeconds:0.#}s ahead of this gateway's clock (at most {_options.ClockSkew.TotalSeconds:0.#}s allowed)");
        }

        if (signedAt < _uncleanStart && !_replay.Knows(key.Id, command.Id, command.Nonce!))
        {
            return Refuse(ResultCodes.Expired, $"signed at {command.Timestamp}, before this gateway started again after an unclean stop; for {_options.ClockSkew.TotalSeconds:0.#}s after such a start only commands signed after it run, since one signed before may already have run (sign it again)");
        }

        // A repeat or replay does not run, so it does not spend the key's rate: replays could otherwise lock the operator out.
        if (!_replay.Knows(key.Id, command.Id, command.Nonce!) && !TakeKeyRate(key.Id))
        {
            return Refuse(ResultCodes.RateLimited, $"more than {_options.RatePerKey} commands per second with key '{key.Id}'");
        }

        // Replay and idempotency.
        var content = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(command.Name + "\n" + canonicalArgs)));
        switch (_replay.Admit(key.Id, command.Id, command.Nonce!, content, now, out var entry))
        {
            case ReplayGuard.Verdict.Repeat:
                var first = await entry.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                _audit.Record(audited with { Outcome = first.Ok ? "ok" : first.Code!, Detail = "repeat of an earlier command with this id; not run again", Duplicate = true, Milliseconds = _time.GetElapsedTime(started).TotalMilliseconds });
                return new CommandOutcome(first with { Duplicate = true }, true);
            case ReplayGuard.Verdict.IdReused:
                return Refuse(ResultCodes.DuplicateId, $"id '{command.Id}' was used within the last {2 * _options.ClockSkew.TotalSeconds:0}s for a different command");
            case ReplayGuard.Verdict.NonceReused:
                return Refuse(ResultCodes.ReplayedNonce, $"nonce '{command.Nonce}' was already used with key '{key.Id}'");
            case ReplayGuard.Verdict.Full:
                return Refuse(ResultCodes.Busy, "too many recent commands to remember; try again shortly");
        }

        // From here on the id is remembered: whatever the outcome, it becomes the answer to any repeat. On disk first, so a
        // restart cannot forget it (if the disk refuses, the memory in this process still protects, and that is logged).
        lock (_journalLock)
        {
            _journal.Admitted(new ReplayGuard.Remembered(now, key.Id, command.Id, command.Nonce!, content, null), out var compact);
            if (compact)
            {
                _journal.Rewrite(_replay.Snapshot(now));
            }
        }

        NoteJournal();
        ResultMessage result;
        try
        {
            result = await AuthorizeAndRun(command, args, key, audited, started, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A repeat waits for this entry: never leave it unanswered.
            entry.Result.TrySetResult(new ResultMessage(command.Id, false, ResultCodes.Failed, $"the first command with this id did not finish ({ex.GetType().Name})"));
            throw;
        }

        entry.Result.TrySetResult(result);
        _journal.Finished(key.Id, command.Id, result);
        return new CommandOutcome(result, true);
    }

    private async Task<ResultMessage> AuthorizeAndRun(CommandMessage command, JsonElement args, CommandKey key, AuditLog.Entry audited, long started, CancellationToken cancellationToken)
    {
        ResultMessage Finish(string outcome, string? message, string? data)
        {
            _audit.Record(audited with { Outcome = outcome, Detail = message, Milliseconds = _time.GetElapsedTime(started).TotalMilliseconds });
            return outcome == "ok" ? new ResultMessage(command.Id, true, Data: data) : new ResultMessage(command.Id, false, outcome, message);
        }

        if (!_handlers.TryGetValue(command.Name!, out var handler))
        {
            return Finish(ResultCodes.UnknownCommand, $"no command '{command.Name}'; known: {string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal))}", null);
        }

        if (!key.Allow.Contains(command.Name!))
        {
            return Finish(ResultCodes.NotAllowed, $"key '{key.Id}' may not run '{command.Name}' (it may run: {string.Join(", ", key.Allow.Order(StringComparer.Ordinal))})", null);
        }

        Func<CancellationToken, Task<System.Text.Json.Nodes.JsonObject>> action;
        try
        {
            action = handler.Prepare(new CommandArguments(args));
        }
        catch (CommandArgumentException ex)
        {
            return Finish(ResultCodes.BadArguments, $"{command.Name}: {ex.Message}", null);
        }

        if (!await _inFlight.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return Finish(ResultCodes.Busy, $"{_options.MaxInFlight} commands are already running (Gateway:Commands:MaxInFlight)", null);
        }

        try
        {
            // No timer per command: one that has not finished when its handler returns is watched by the shared
            // deadlines (one timer), which cancel it when Timeout has passed.
            using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            CommandDeadlines.Watch? watch = null;
            try
            {
                var running = action(run.Token);
                if (!running.IsCompleted)
                {
                    watch = _deadlines.Start(run);
                }

                var data = await running.WaitAsync(run.Token).ConfigureAwait(false);
                return Finish("ok", null, data.ToJsonString());
            }
            catch (OperationCanceledException) when (watch is { Expired: true } && !cancellationToken.IsCancellationRequested)
            {
                return Finish(ResultCodes.Timeout, $"{command.Name} did not finish within {_options.Timeout.TotalSeconds:0.#}s (Gateway:Commands:Timeout)", null);
            }
            catch (Exception ex) when (ex is CommandFailedException or HardwareException or IOException or InvalidOperationException)
            {
                return Finish(ResultCodes.Failed, $"{command.Name}: {ex.Message}", null);
            }
            finally
            {
                watch?.Dispose();
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private static string? FieldProblem(CommandMessage c)
    {
        if (!CommandFields.IsToken(c.Id))
        {
            return $"'id' must be {CommandFields.TokenAllowed}";
        }

        if (!CommandFields.IsToken(c.Key))
        {
            return $"'key' must be {CommandFields.TokenAllowed}";
        }

        if (!CommandFields.IsToken(c.Device))
        {
            return $"'device' is required: {CommandFields.TokenAllowed}";
        }

        if (!CommandFields.IsToken(c.Name))
        {
            return $"'name' is required: {CommandFields.TokenAllowed}";
        }

        if (!CommandFields.IsNonce(c.Nonce))
        {
            return $"'nonce' is required: {CommandFields.NonceAllowed}";
        }

        if (c.Timestamp is null || c.Timestamp.Length > 40 || c.Timestamp.Contains('\n', StringComparison.Ordinal)
            || !DateTimeOffset.TryParse(c.Timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            return "'ts' is required: an ISO 8601 time such as 2026-11-23T09:00:00.000Z";
        }

        return null;
    }

    private bool TakeKeyRate(string keyId)
    {
        lock (_keyLock)
        {
            if (!_keyBuckets.TryGetValue(keyId, out var bucket))
            {
                bucket = new TokenBucket(_options.RatePerKey, _options.RatePerKey, _time.GetTimestamp(), _time.TimestampFrequency);
                _keyBuckets[keyId] = bucket;
            }

            return bucket.TryTake(_time.GetTimestamp());
        }
    }

    /// <summary>Logs when the replay memory on disk starts or stops failing.</summary>
    private void NoteJournal()
    {
        var trouble = _journal.Trouble;
        if (trouble == Volatile.Read(ref _journalTrouble))
        {
            return;
        }

        Volatile.Write(ref _journalTrouble, trouble);
        if (trouble is null)
        {
            LogJournalRecovered(_logger);
        }
        else
        {
            LogJournalFailing(_logger, trouble);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _deadlines.Dispose();
        _inFlight.Dispose();
        _journal.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The last stop was not clean (a crash, a kill or a power loss): for {Seconds:0.#}s, commands signed before this start are refused as expired, since the replay memory may have lost its last moment")]
    private static partial void LogUncleanStart(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The replay memory cannot be kept on disk ({Trouble}): commands still run and repeats are refused, but a restart now would forget the commands of the last ClockSkew window")]
    private static partial void LogJournalFailing(ILogger logger, string trouble);

    [LoggerMessage(Level = LogLevel.Information, Message = "The replay memory is kept on disk again")]
    private static partial void LogJournalRecovered(ILogger logger);
}
