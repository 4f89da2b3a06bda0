using System.Globalization;
using System.Text.Json;
using Gateway.Configuration;

namespace Gateway.Commands;

/// <summary>
/// A command's <c>args</c> object with typed getters that say exactly what is wrong
/// (<see cref="CommandArgumentException"/>), so a handler validates everything before it changes anything.
/// </summary>
internal sealed class CommandArguments
{
    private readonly JsonElement _args;

    /// <summary>Wraps an <c>args</c> object (a detached clone).</summary>
    public CommandArguments(JsonElement args)
    {
        if (args.ValueKind != JsonValueKind.Object)
        {
            throw new CommandArgumentException($"'args' must be an object, got {args.ValueKind}");
        }

        _args = args;
    }

    /// <summary>Refuses any argument not in <paramref name="known"/> (a typo must not be silently ignored).</summary>
    public CommandArguments Only(params string[] known)
    {
        foreach (var p in _args.EnumerateObject())
        {
            if (!known.Contains(p.Name, StringComparer.Ordinal))
            {
                throw new CommandArgumentException(known.Length == 0
                    ? $"unknown argument '{p.Name}'; this command takes none"
                    : $"unknown argument '{p.Name}'; expected {string.Join(", ", known)}");
            }
        }

        return this;
    }

    /// <summary>A required string.</summary>
    public string String(string name) =>
        OptionalString(name) ?? throw new CommandArgumentException($"'{name}' is required");

    /// <summary>An optional string.</summary>
    public string? OptionalString(string name) =>
        !_args.TryGetProperty(name, out var e) ? null
        : e.ValueKind == JsonValueKind.String ? e.GetString()
        : throw new CommandArgumentException($"'{name}' must be a string, got {e.ValueKind}");

    /// <summary>A required boolean.</summary>
    public bool Bool(string name) =>
        !_args.TryGetProperty(name, out var e) ? throw new CommandArgumentException($"'{name}' is required (true or false)")
        : e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean()
        : throw new CommandArgumentException($"'{name}' must be true or false, got {e.ValueKind}");

    /// <summary>An optional number within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public double? OptionalNumber(string name, double min, double max)
    {
        if (!_args.TryGetProperty(name, out var e))
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Number)
        {
            throw new CommandArgumentException($"'{name}' must be a number, got {e.ValueKind}");
        }

        var value = e.GetDouble();
        return value >= min && value <= max
            ? value
            : throw new CommandArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{name}' must be between {min} and {max}, got {value}"));
    }

    /// <summary>An optional duration such as <c>"5s"</c> or <c>"250ms"</c> within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public TimeSpan? OptionalDuration(string name, TimeSpan min, TimeSpan max)
    {
        var text = OptionalString(name);
        if (text is null)
        {
            return null;
        }

        if (!DurationParser.TryParse(text, out var value))
        {
            throw new CommandArgumentException($"'{name}' must be a duration such as \"500ms\", \"5s\" or \"2m\", got '{text}'");
        }

        return value >= min && value <= max
            ? value
            : throw new CommandArgumentException($"'{name}' must be between {DurationParser.Format(min)} and {DurationParser.Format(max)}, got '{text}'");
    }
}

/// <summary>An argument is missing, of the wrong type or out of range; answered with <c>bad_arguments</c>.</summary>
internal sealed class CommandArgumentException : Exception
{
    public CommandArgumentException()
    {
    }

    public CommandArgumentException(string message)
        : base(message)
    {
    }

    public CommandArgumentException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>A valid command could not be carried out (e.g. the sensor did not answer); answered with <c>failed</c>.</summary>
internal sealed class CommandFailedException : Exception
{
    public CommandFailedException()
    {
    }

    public CommandFailedException(string message)
        : base(message)
    {
    }

    public CommandFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
