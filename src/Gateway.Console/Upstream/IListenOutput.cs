using Gateway.Protocol;

namespace Gateway.Console.Upstream;

/// <summary>Where <c>gwctl listen</c> reports: the live view on a terminal, lines otherwise.</summary>
internal interface IListenOutput
{
    /// <summary>A new (not duplicate) reading or event.</summary>
    void Reading(Message message);

    /// <summary>Something worth a line: a gateway connected or left, a gap, a misbehaving peer.</summary>
    void Notice(NoticeLevel level, string text);
}

/// <summary>How much a notice matters (colour in the view).</summary>
internal enum NoticeLevel
{
    /// <summary>Connections coming and going.</summary>
    Info,

    /// <summary>Gaps, missing seqs, peers that break the protocol.</summary>
    Warning,
}
