namespace Gateway.Status;

/// <summary>
/// The gateway's running totals at one moment, as the periodic summary reads them: sensor reads and the outbox's
/// figures since start, each sensor's health and each link's state.
/// </summary>
/// <param name="SensorReads">Successful reads of every sensor since start (one read gives every quantity of its sensor; failures show in the health).</param>
/// <param name="Stored">Readings and events the outbox has stored since start (after each sensor's deadband).</param>
/// <param name="LastSeq">The seq of the last stored message.</param>
/// <param name="Dropped">Messages the outbox dropped to its limits since start.</param>
/// <param name="Sensors">Each sensor's id and health (<c>ok</c>, <c>failing</c>, <c>failed</c>), in configuration order.</param>
/// <param name="Links">Each link's name and state (e.g. <c>up</c>, <c>backing off</c>), in configuration order.</param>
/// <param name="Delivery">For each link that keeps a place in the outbox: the seq its peer acknowledged through and the
/// seqs it still owes (null or missing: no figure, e.g. UDP).</param>
internal sealed record ActivitySnapshot(
    long SensorReads,
    long Stored,
    long LastSeq,
    long Dropped,
    IReadOnlyList<KeyValuePair<string, string>> Sensors,
    IReadOnlyList<KeyValuePair<string, string>> Links,
    IReadOnlyDictionary<string, (long Acknowledged, long Backlog)>? Delivery = null);
