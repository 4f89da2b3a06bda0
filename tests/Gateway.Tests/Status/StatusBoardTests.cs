using Gateway.Status;

namespace Gateway.Tests.Status;

public class StatusBoardTests
{
    [Fact]
    public void The_line_is_the_phase_then_the_facts_in_the_order_first_set()
    {
        var board = new StatusBoard();
        Assert.Equal("Starting", board.Line);

        board.SetFact("device", "pi-01");
        board.SetFact("outbox", "outbox 3 pending");
        board.SetPhase("Running");
        board.SetFact("device", "pi-02");

        Assert.Equal("Running: pi-02, outbox 3 pending", board.Line);
    }

    [Fact]
    public void Subscribers_hear_each_change_once_and_in_order()
    {
        var board = new StatusBoard();
        var heard = new List<string>();
        board.Changed += heard.Add;

        board.SetPhase("Running");
        board.SetPhase("Running");
        board.SetFact("device", "pi-01");
        board.SetFact("device", "pi-01");
        board.SetPhase("Stopping");

        Assert.Equal(["Running", "Running: pi-01", "Stopping: pi-01"], heard);
    }
}
