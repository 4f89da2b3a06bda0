namespace Gateway.Protocol.Commands;

/// <summary>The <c>code</c> of a failed <see cref="ResultMessage"/>; docs/protocol.md says when each is given.</summary>
public static class ResultCodes
{
#pragma warning disable CS1591 // the names say it; docs/protocol.md lists them with their meaning
    public const string TooLarge = "too_large";
    public const string RateLimited = "rate_limited";
    public const string NotSigned = "unsigned";
    public const string BadField = "bad_field";
    public const string UnknownKey = "unknown_key";
    public const string BadSignature = "bad_signature";
    public const string WrongDevice = "wrong_device";
    public const string Expired = "expired";
    public const string Future = "future";
    public const string DuplicateId = "duplicate_id";
    public const string ReplayedNonce = "replayed_nonce";
    public const string NotAllowed = "not_allowed";
    public const string UnknownCommand = "unknown_command";
    public const string BadArguments = "bad_arguments";
    public const string Busy = "busy";
    public const string Timeout = "timeout";
    public const string Failed = "failed";
#pragma warning restore CS1591
}
