namespace Gateway.Mqtt.Tests.Codec;

/// <summary>Golden vectors are written as the reference writes them: hex bytes separated by spaces.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
