using Gateway.Protocol;

namespace Gateway.Commands;

/// <summary>
/// What the pipeline decided about one command: the <see cref="ResultMessage"/> to send, and whether the sender proved
/// a configured key (a valid signature). An unauthenticated sender may be anyone, including a forged UDP source, so
/// what it gets back is bounded (docs/protocol.md, "UDP").
/// </summary>
/// <param name="Result">The result, correlated by the command's id.</param>
/// <param name="Authenticated">True when the signature was verified with a configured key.</param>
internal readonly record struct CommandOutcome(ResultMessage Result, bool Authenticated);
