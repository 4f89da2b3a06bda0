namespace Gateway.Outbox;

/// <summary>A range of sequence numbers that will never be delivered, and why (sent upstream as a <c>gap</c>).</summary>
/// <param name="From">First lost seq.</param>
/// <param name="To">Last lost seq (inclusive).</param>
/// <param name="Reason">E.g. <c>MaxBytes</c>, <c>MaxAge</c>, <c>MemoryLimit</c>.</param>
/// <param name="At">When the loss happened.</param>
internal sealed record Gap(long From, long To, string Reason, DateTimeOffset At)
{
    /// <summary>Number of readings lost.</summary>
    public long Count => To - From + 1;
}
