namespace Gateway.Outbox;

/// <summary>What a stored record is: the <c>kind</c> column of the outbox's <c>readings</c> table (docs/protocol.md, "Outbox file").</summary>
internal enum RecordKind
{
    /// <summary>A measurement: sent as a <c>reading</c>.</summary>
    Reading = 0,

    /// <summary>A sensor's health change: sent as an <c>event</c> of kind <c>health</c>.</summary>
    Health = 1,
}

/// <summary>
/// A reading or a sensor's health change as stored in the outbox, numbered with the device's ever-growing
/// <see cref="Seq"/>. A value type: a link reads them into a list it reuses, one row costing no allocation.
/// </summary>
/// <param name="Seq">Per-device sequence number; never reused, even across restarts and a recreated database.</param>
/// <param name="Kind">Reading or health change; only this says which (a quantity may be called anything, <c>health</c> too).</param>
/// <param name="Timestamp">When it was measured (or the health changed), UTC, millisecond precision.</param>
/// <param name="SensorId">The sensor.</param>
/// <param name="Quantity">What was measured; <see cref="HealthQuantity"/> for a health change.</param>
/// <param name="Value">The value; for a health change the <see cref="Sampling.HealthState"/> as a number.</param>
/// <param name="Unit">SenML unit; empty for a health change.</param>
/// <param name="Text">A health change's message (<c>failed: no acknowledge …</c>); null for a reading.</param>
internal readonly record struct StoredRecord(long Seq, RecordKind Kind, DateTimeOffset Timestamp, string SensorId, string Quantity, double Value, string Unit, string? Text)
{
    /// <summary>The quantity a health change is stored under (its series in the file); it says nothing about the kind.</summary>
    public const string HealthQuantity = "health";

    /// <summary>A measurement.</summary>
    public static StoredRecord Reading(long seq, DateTimeOffset timestamp, string sensorId, string quantity, double value, string unit) =>
        new(seq, RecordKind.Reading, timestamp, sensorId, quantity, value, unit, null);
}
