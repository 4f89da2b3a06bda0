namespace Gateway.FuzzTests.Engine;

/// <summary>One parser under fuzzing: its corpus, its input bound, and one run that names the documented outcome.</summary>
internal interface IFuzzTarget
{
    /// <summary>Short name, used by <c>FUZZ_TARGET</c> and in reports.</summary>
    string Name { get; }

    /// <summary>Valid inputs to mutate (golden vectors, documentation examples).</summary>
    IReadOnlyList<byte[]> Corpus { get; }

    /// <summary>The longest input made (the transport's own bound: line length, datagram, packet size).</summary>
    int MaxInputBytes { get; }

    /// <summary>Bytes the target may allocate for one input of <paramref name="length"/> bytes (the memory property).</summary>
    long AllocationLimit(int length);

    /// <summary>
    /// True when the allocations are those of the thread calling <see cref="Run"/> (pure, synchronous targets); false
    /// when the work happens on other threads (socket targets), so the whole process's allocations are measured.
    /// </summary>
    bool Synchronous { get; }

    /// <summary>
    /// Feeds <paramref name="input"/> to the parser and returns a label for the documented outcome it gave (a message
    /// type, an error code, a documented exception type). Anything else — another exception type, a wrong answer — is
    /// thrown as <see cref="FuzzPropertyException"/> or escapes as is: both are findings.
    /// </summary>
    string Run(byte[] input);
}

/// <summary>A target answered, but not as documented (e.g. a 5xx, a reply of the wrong shape).</summary>
internal sealed class FuzzPropertyException : Exception
{
    public FuzzPropertyException()
    {
    }

    public FuzzPropertyException(string message)
        : base(message)
    {
    }

    public FuzzPropertyException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
