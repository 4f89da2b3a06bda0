using Gateway.FuzzTests.Engine;
using Gateway.Protocol;
using Gateway.Protocol.Commands;

namespace Gateway.FuzzTests.Targets;

/// <summary>
/// The command path through Gateway.Protocol's public API: parse → canonical string (RFC 8785 args) → verify.
/// Property: only <see cref="FormatException"/> from canonicalizing (the pipeline's <c>bad_field</c>), and a canonical
/// form that is a fixed point (canonicalizing it again changes nothing).
/// </summary>
internal sealed class CommandSigningTarget : IFuzzTarget
{
    public string Name => "command-signing";

    public IReadOnlyList<byte[]> Corpus { get; } = Engine.Corpus.Commands();

    public int MaxInputBytes => ProtocolInfo.DefaultMaxLineLength;

    public bool Synchronous => true;

    // As the parser, plus the canonical form (measured at most 10 bytes a byte beyond it).
    public long AllocationLimit(int length) => (256 * 1024) + (80L * length);

    public string Run(byte[] input)
    {
        if (MessageParser.Parse(input) is not CommandMessage command)
        {
            return "not a command";
        }

        string canonical;
        string args;
        try
        {
            args = CommandSigning.CanonicalArgs(command.Args);
            canonical = CommandSigning.CanonicalString(command);
        }
        catch (FormatException)
        {
            return "bad_field";
        }

        if (!string.Equals(CommandSigning.CanonicalArgs(args), args, StringComparison.Ordinal))
        {
            throw new FuzzPropertyException($"the canonical form of the args is not canonical: {args}");
        }

        return CommandSigning.Verify(Engine.Corpus.Secret, canonical, command.Signature) ? "verified" : "bad_signature";
    }
}
