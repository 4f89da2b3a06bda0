using System.Security.Cryptography;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.Console.Commanding;

/// <summary>Builds the signed <c>command</c> message gwctl sends: a fresh id and nonce, the current time.</summary>
internal static class SignedCommand
{
    /// <summary>Signs <paramref name="name"/> with <paramref name="args"/> (canonical JSON) for <paramref name="device"/>.</summary>
    public static CommandMessage Create(CommandKeyFile key, string device, string name, string args, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        return CommandSigning.Create(key.Key, key.Secret, device, NewId(), name, args, now, CommandSigning.NewNonce());
    }

    /// <summary>A command id unique enough to correlate its result: <c>gwctl-</c> and 12 random hex digits.</summary>
    public static string NewId() => "gwctl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}
