using Gateway.Links;
using Gateway.Outbox;
using Gateway.Protocol;

namespace Gateway.Tests.Links;

public sealed class StoredMessagesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_health_record_goes_out_as_a_health_event_with_its_message()
    {
        var row = new StoredRecord(7, RecordKind.Health, T0, "env", StoredRecord.HealthQuantity, 2, string.Empty, "failed: NACK at 0x76");

        Assert.Equal(new EventMessage("dev", 7, T0, "env", "health", "failed: NACK at 0x76"), StoredMessages.ToMessage(row, "dev"));
    }

    [Fact]
    public void A_reading_goes_out_as_a_reading_even_when_its_quantity_is_called_health()
    {
        var row = StoredRecord.Reading(8, T0, "analog", "health", 3.9, "V");

        Assert.Equal(new ReadingMessage("dev", 8, T0, "analog", "health", 3.9, "V"), StoredMessages.ToMessage(row, "dev"));
    }
}
