namespace Gateway.Hardware.Remote;

/// <summary>Bytes as hex text on the firmware-sim protocol.</summary>
internal static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    public static byte[] Decode(string? text, string what)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{what} is not hex: '{(text.Length > 40 ? text[..40] + "…" : text)}'");
        }
    }
}
