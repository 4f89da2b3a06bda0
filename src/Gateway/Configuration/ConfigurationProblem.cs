namespace Gateway.Configuration;

/// <summary>
/// One thing wrong with the configuration: the full key, the value found (redacted for secrets) and what is allowed.
/// </summary>
/// <param name="Key">Full configuration key, e.g. <c>Gateway:Sampling:Interval</c>.</param>
/// <param name="Value">The value found, or <see langword="null"/> when the key is missing.</param>
/// <param name="Allowed">What the key accepts, phrased for an operator.</param>
internal sealed record ConfigurationProblem(string Key, string? Value, string Allowed)
{
    /// <summary>One line naming the key, the bad value and what is allowed.</summary>
    public override string ToString() => Value is null
        ? $"{Key}: missing; expected {Allowed}"
        : $"{Key}: '{Value}' is not allowed; expected {Allowed}";
}
