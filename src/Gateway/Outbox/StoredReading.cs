namespace Gateway.Outbox;

/// <summary>
/// A reading (or a sensor event) as stored in the outbox: numbered with the device's ever-growing <see cref="Seq"/>.
/// Events (health changes) have quantity <c>health</c>, a state code as value and their message in <see cref="Text"/>.
/// </summary>
/// <param name="Seq">Per-device sequence number; never reused, even across restarts and a recreated database.</param>
/// <param name="Timestamp">When it was measured, UTC, millisecond precision.</param>
/// <param name="SensorId">The sensor.</param>
/// <param name="Quantity">What was measured (or <c>health</c>).</param>
/// <param name="Value">The value.</param>
/// <param name="Unit">SenML unit.</param>
/// <param name="Text">The event message, null for readings.</param>
internal sealed record StoredReading(long Seq, DateTimeOffset Timestamp, string SensorId, string Quantity, double Value, string Unit, string? Text = null)
{
    /// <summary>Quantity name under which sensor health changes are stored.</summary>
    public const string HealthQuantity = "health";
}

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
