using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Web;

/// <summary>
/// A request body from the page, parsed as untrusted bytes: a JSON object (RFC 8259) with no duplicate member names
/// (I-JSON, RFC 7493 §2.3) and no string that is not valid Unicode (RFC 7493 §2.1: a lone surrogate escape such as
/// <c>"\ud800"</c>, or invalid UTF-8), nested at most <see cref="MaxDepth"/> deep. Pure: bytes in, an object or the
/// reason it was refused out; never throws for any input.
/// </summary>
internal static class JsonBody
{
    /// <summary>The deepest nesting a body may have; the page sends two levels.</summary>
    public const int MaxDepth = 16;

    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>Parses <paramref name="utf8"/>; on refusal <paramref name="error"/> says what was wrong, in words for the sender.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out JsonObject? body, out string? error)
    {
        body = null;
        try
        {
            using var document = JsonDocument.Parse(utf8, Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"the body must be a JSON object, got {document.RootElement.ValueKind.ToString().ToLowerInvariant()}";
                return false;
            }

            if (FirstInvalidString(document.RootElement, "$") is { } where)
            {
                error = $"{where} is not valid Unicode (a lone surrogate escape such as \\ud800, or invalid UTF-8): strings must be well-formed (RFC 7493 §2.1)";
                return false;
            }

            body = JsonObject.Create(document.RootElement.Clone());
            error = null;
            return body is not null;
        }
        catch (InvalidOperationException)
        {
            // Comparing member names for duplicates decodes them; a name with a lone surrogate fails there.
            error = "a member name is not valid Unicode (a lone surrogate escape such as \\ud800): strings must be well-formed (RFC 7493 §2.1)";
            return false;
        }
        catch (JsonException ex) when (ex.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase))
        {
            error = $"the body is nested too deep (more than {MaxDepth} levels)";
            return false;
        }
        catch (JsonException ex) when (ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            error = $"the body has a duplicate member name: each name may appear once per object (RFC 7493 §2.3); {ex.Message}";
            return false;
        }
        catch (JsonException ex)
        {
            error = $"the body is not valid JSON: {ex.Message}";
            return false;
        }
    }

    // The path of the first property name or string value that cannot be decoded, or null when all can.
    private static string? FirstInvalidString(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Decodes(element) ? null : path;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FirstInvalidString(item, $"{path}[{index++}]") is { } bad)
                    {
                        return bad;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return $"a member name in {path}";
                    }

                    if (FirstInvalidString(property.Value, $"{path}.{PeerText.Printable(name, 32)}") is { } bad)
                    {
                        return bad;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool Decodes(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
