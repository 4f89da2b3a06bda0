using System.CommandLine;
using System.Text.Json;
using Gateway.Console.Addressing;
using Gateway.Console.Commanding;
using Gateway.Console.Keys;
using Gateway.Console.Views;
using Gateway.Protocol;
using Gateway.Protocol.Commands;
using Spectre.Console;

namespace Gateway.Console.Cli;

/// <summary>
/// <c>gwctl send &lt;gateway&gt; &lt;command&gt; [--arg k=v …]</c> and <c>gwctl status &lt;gateway&gt;</c>: sign, send,
/// wait for the result, print it. Exit 0 when the gateway answered ok; 1 with its code when it refused or the command
/// failed; 69/75 when it could not be reached or did not answer in time.
/// </summary>
internal static class SendVerb
{
    /// <summary>Builds <c>send</c>, or <c>status</c> when <paramref name="status"/>.</summary>
    public static Command Build(Option<bool> json, Option<ColorMode> color, Func<ColorMode, Terminal> terminals, bool status)
    {
        var gateway = GwctlCli.GatewayArgument();
        var name = new Argument<string>("command")
        {
            Description = $"the command: {string.Join(", ", KnownCommands.All)} (docs/protocol.md, Commands)",
        };
        var args = new Option<string[]>("--arg", "-a")
        {
            Description = CommandArgs.Expected,
            AllowMultipleArgumentsPerToken = false,
            Arity = ArgumentArity.ZeroOrMore,
        };
        var keyFile = GwctlCli.KeyFile("that signs the command");
        var device = new Option<string?>("--device")
        {
            Description = "the device id to sign for (default: the id the gateway says in its hello; for mqtt://, the topic prefix's last level; required for udp://)",
        };
        var timeout = GwctlCli.Timeout(TimeSpan.FromSeconds(10), "how long to wait for the connection and the result");
        var mqtt = GwctlCli.MqttLogin();
        var tls = new TlsOptions();

        var command = status
            ? new Command("status", "show a gateway's status: sensors and their health, outputs, links, outbox (the 'status' command; the key must allow it)") { gateway, keyFile, device, timeout.Option, mqtt.User, mqtt.PasswordFile }
            : new Command("send", "sign a command, send it, wait for its result and print it; exit 0 on ok, non-zero with the error code otherwise") { gateway, name, args, keyFile, device, timeout.Option, mqtt.User, mqtt.PasswordFile };
        tls.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var terminal = terminals(parse.GetValue(color));
            return GwctlCli.Guard(terminal, () => RunAsync(
                terminal,
                tls.Apply(parse, parse.GetValue(gateway)!),
                GwctlCli.MqttLoginOf(parse, parse.GetValue(gateway)!, mqtt), // in Guard: a bad login option is its one-line error
                status ? "status" : parse.GetValue(name)!,
                status ? [] : parse.GetValue(args) ?? [],
                parse.GetValue(keyFile),
                parse.GetValue(device),
                timeout.Get(parse),
                parse.GetValue(json),
                status,
                ct));
        });
        return command;
    }

    private static async Task<int> RunAsync(Terminal terminal, GatewayAddress address, BrokerLogin? login, string name, string[] pairs, string? keyOption, string? device, TimeSpan timeout, bool json, bool status, CancellationToken token)
    {
        if (!CommandFields.IsToken(name))
        {
            throw new GwctlException(ExitCodes.Usage, $"'{name}' is not a command name ({CommandFields.TokenAllowed}); the gateway has {string.Join(", ", KnownCommands.All)}");
        }

        if (device is not null && !CommandFields.IsToken(device))
        {
            throw new GwctlException(ExitCodes.Usage, $"--device '{device}': a device id is {CommandFields.TokenAllowed}");
        }

        string argsJson;
        try
        {
            argsJson = CommandArgs.ToJson(pairs);
        }
        catch (FormatException ex)
        {
            throw new GwctlException(ExitCodes.Usage, ex.Message, ex);
        }

        var keyPath = KeyFileReader.Resolve(keyOption, Environment.GetEnvironmentVariable(KeyFileReader.EnvironmentVariable))
            ?? throw new GwctlException(ExitCodes.Usage, $"{(status ? "status" : "send")} needs a key to sign with: --key-file FILE or ${KeyFileReader.EnvironmentVariable} (make one with 'gwctl keygen')");
        var key = KeyFileReader.Load(keyPath);

        var outcome = await CommandClient.RunAsync(address, key, device, name, argsJson, timeout, login, token).ConfigureAwait(false);
        var result = outcome.Result;
        if (json)
        {
            await terminal.OutWriter.WriteLineAsync(MessageWriter.ToJson(result)).ConfigureAwait(false);
        }

        if (!result.Ok)
        {
            var what = result.Code == CommandOutcome.NotConnected ? $"cannot reach {outcome.Device} through {address}" : $"{outcome.Device} refused {name}";
            await terminal.ErrorWriter.WriteLineAsync(
                $"gwctl: {what}: {result.Code}: {Formats.OneLine(result.Message ?? string.Empty)}{Hint(result.Code, key.Key, name)}").ConfigureAwait(false);
            return outcome.ExitCode;
        }

        if (result.Code is not null)
        {
            // ok with a code: the command ran, but its result could not come back whole (too_large over UDP).
            await terminal.ErrorWriter.WriteLineAsync($"gwctl: note: {result.Code}: {Formats.OneLine(result.Message ?? string.Empty)}").ConfigureAwait(false);
            if (status && result.Data is null)
            {
                return ExitCodes.Refused; // status without its data is no status
            }
        }

        if (result.Duplicate)
        {
            await terminal.ErrorWriter.WriteLineAsync($"gwctl: note: {outcome.Device} had already run a command with this id; this is its first result").ConfigureAwait(false);
        }

        if (json)
        {
            return ExitCodes.Ok;
        }

        if (status && result.Data is not null)
        {
            try
            {
                terminal.Out.Write(StatusView.Render(GatewayStatus.Parse(result.Data)));
                terminal.Out.WriteLine();
                return ExitCodes.Ok;
            }
            catch (FormatException)
            {
                // shown as JSON below
            }
        }

        await terminal.OutWriter.WriteLineAsync(result.Data is null ? "ok" : Pretty(result.Data)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    /// <summary>What to do about a refusal, where gwctl can tell.</summary>
    public static string Hint(string? code, string key, string name) => code switch
    {
        ResultCodes.NotAllowed => $" (add '{name}' to Gateway:Commands:Keys:{key}:Allow on the gateway, or use a key that may run it)",
        ResultCodes.UnknownKey => $" (the gateway has no key '{key}': configure Gateway:Commands:Keys:{key}:SecretFile as 'gwctl keygen' printed)",
        ResultCodes.BadSignature => $" (the gateway's secret for '{key}' is not the one in this key file)",
        ResultCodes.Expired or ResultCodes.Future => " (this machine's clock and the gateway's differ by more than Gateway:Commands:ClockSkew; sync them, e.g. with NTP)",
        ResultCodes.UnknownCommand => $" (the gateway has: {string.Join(", ", KnownCommands.All)})",
        CommandOutcome.NotConnected => " (is the gateway's Gateway:Upstream:Tcp:Endpoint or WebSocket:Url pointing at this 'gwctl listen'?)",
        _ => string.Empty,
    };

    private static string Pretty(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, PrettyJson.Default.JsonElement);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement))]
internal sealed partial class PrettyJson : System.Text.Json.Serialization.JsonSerializerContext;
