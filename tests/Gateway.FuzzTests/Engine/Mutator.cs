using System.Text;

namespace Gateway.FuzzTests.Engine;

/// <summary>
/// Deterministic mutations of corpus inputs: the same seed gives the same inputs in the same order on every run, so a
/// finding is reproduced by its seed and index. Mutations are those of the issue: bit flips, truncation, splicing,
/// string escapes (lone surrogates among them), very deep nesting, huge numbers, duplicate names, invalid UTF-8 and
/// oversize input; one to four are stacked on a corpus entry.
/// </summary>
internal sealed class Mutator
{
    // Escapes put into strings: lone high and low surrogates, a reversed pair, a valid pair, NUL and ESC, a stray backslash.
    private static readonly string[] Escapes =
        [@"\ud800", @"\udfff", @"\udc00\ud800", @"\ud83d\ude00", @"\u0000", @"\u001b", @"\\", @"\""", @"\", @"\u12", @"\uzzzz"];

    // Numbers no double or long holds, and spellings at the edge of the grammar.
    private static readonly string[] Numbers =
        ["1e400", "-1e400", "1e-400", "99999999999999999999999999999", "-9223372036854775809", "9223372036854775808",
         "4294967296", "2147483648", "-0", "0.0000000000000000000000000000001", "1.7976931348623157e309", "1E+2", "01", "1.", ".5", "NaN", "Infinity"];

    // Byte sequences that are not UTF-8: a lone continuation byte, a truncated sequence, an encoded surrogate, an
    // overlong slash, a five-byte form, 0xFF.
    private static readonly byte[][] InvalidUtf8 =
        [[0x80], [0xC3], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFF], [0xF4, 0x90, 0x80, 0x80]];

    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\n', (byte)'\r', (byte)' '];

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _corpus;
    private readonly int _maxLength;

    /// <summary>Creates a mutator over <paramref name="corpus"/>; no input it makes is longer than <paramref name="maxLength"/>.</summary>
    public Mutator(int seed, IReadOnlyList<byte[]> corpus, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfZero(corpus.Count);
        _random = new Random(seed); // seeded System.Random is deterministic for a given seed
        _corpus = corpus;
        _maxLength = maxLength;
    }

    /// <summary>The next input: a corpus entry (one in sixteen unchanged) with one to four mutations.</summary>
    public byte[] Next()
    {
        var input = _corpus[_random.Next(_corpus.Count)];
        if (_random.Next(16) == 0)
        {
            return input;
        }

        var count = 1 + _random.Next(4);
        for (var i = 0; i < count; i++)
        {
            input = Mutate(input);
        }

        return input.Length > _maxLength ? input[.._maxLength] : input;
    }

    private byte[] Mutate(byte[] input) => _random.Next(14) switch
    {
        0 => FlipBits(input),
        1 => SetByte(input),
        2 => Truncate(input),
        3 => Splice(input),
        4 => InsertAtString(input, Escapes[_random.Next(Escapes.Length)]),
        5 => ReplaceStringContent(input),
        6 => Nest(input),
        7 => ReplaceNumber(input),
        8 => DuplicateMember(input),
        9 => Insert(input, InvalidUtf8[_random.Next(InvalidUtf8.Length)]),
        10 => Oversize(input),
        11 => DeleteRange(input),
        12 => DuplicateRange(input),
        _ => Insert(input, RandomBytes(1 + _random.Next(8))),
    };

    private byte[] FlipBits(byte[] input)
    {
        if (input.Length == 0)
        {
            return input;
        }

        var copy = (byte[])input.Clone();
        var flips = 1 + _random.Next(8);
        for (var i = 0; i < flips; i++)
        {
            copy[_random.Next(copy.Length)] ^= (byte)(1 << _random.Next(8));
        }

        return copy;
    }

    private byte[] SetByte(byte[] input)
    {
        if (input.Length == 0)
        {
            return [Interesting[_random.Next(Interesting.Length)]];
        }

        var copy = (byte[])input.Clone();
        copy[_random.Next(copy.Length)] = Interesting[_random.Next(Interesting.Length)];
        return copy;
    }

    private byte[] Truncate(byte[] input) => input.Length == 0 ? input : input[.._random.Next(input.Length)];

    private byte[] Splice(byte[] input)
    {
        var other = _corpus[_random.Next(_corpus.Count)];
        var cut = input.Length == 0 ? 0 : _random.Next(input.Length);
        var from = other.Length == 0 ? 0 : _random.Next(other.Length);
        return [.. input.AsSpan(0, cut), .. other.AsSpan(from)];
    }

    // Inserts text right after a quote (inside a string or a name, most of the time) or anywhere.
    private byte[] InsertAtString(byte[] input, string text)
    {
        var quotes = Positions(input, (byte)'"');
        var at = quotes.Count > 0 && _random.Next(4) != 0 ? quotes[_random.Next(quotes.Count)] + 1 : _random.Next(input.Length + 1);
        return Insert(input, Encoding.UTF8.GetBytes(text), at);
    }

    // Replaces the content of one string (value or name) with an escape or a long run.
    private byte[] ReplaceStringContent(byte[] input)
    {
        var quotes = Positions(input, (byte)'"');
        if (quotes.Count < 2)
        {
            return InsertAtString(input, Escapes[0]);
        }

        var k = _random.Next(quotes.Count - 1);
        var content = _random.Next(3) switch
        {
            0 => Escapes[_random.Next(Escapes.Length)],
            1 => new string('x', _random.Next(1, 5000)),
            _ => string.Concat(Enumerable.Repeat(@"\ud800", _random.Next(1, 200))),
        };
        return [.. input.AsSpan(0, quotes[k] + 1), .. Encoding.UTF8.GetBytes(content), .. input.AsSpan(quotes[k + 1])];
    }

    // Deep nesting: up to 100,000 levels of [ or {"a": around or inside the input.
    private byte[] Nest(byte[] input)
    {
        var depth = _random.Next(3) switch
        {
            0 => _random.Next(2, 20),
            1 => _random.Next(20, 2000),
            _ => 100_000,
        };
        var array = _random.Next(2) == 0;
        var open = array ? "["u8 : "{\"a\":"u8;
        var close = array ? "]"u8 : "}"u8;
        var at = _random.Next(input.Length + 1);
        var closeAll = _random.Next(2) == 0; // unbalanced half of the time
        var result = new List<byte>(input.Length + depth * (open.Length + 1) + 8);
        result.AddRange(input.AsSpan(0, at));
        for (var i = 0; i < depth; i++)
        {
            result.AddRange(open);
        }

        result.AddRange("1"u8);
        for (var i = 0; closeAll && i < depth; i++)
        {
            result.AddRange(close);
        }

        result.AddRange(input.AsSpan(at));
        return [.. result];
    }

    private byte[] ReplaceNumber(byte[] input)
    {
        var digits = new List<int>();
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] is >= (byte)'0' and <= (byte)'9' && (i == 0 || input[i - 1] is < (byte)'0' or > (byte)'9'))
            {
                digits.Add(i);
            }
        }

        var number = Encoding.ASCII.GetBytes(Numbers[_random.Next(Numbers.Length)]);
        if (digits.Count == 0)
        {
            return Insert(input, number);
        }

        var start = digits[_random.Next(digits.Count)];
        var end = start;
        while (end < input.Length && input[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'-' or (byte)'+')
        {
            end++;
        }

        return [.. input.AsSpan(0, start), .. number, .. input.AsSpan(end)];
    }

    // Repeats one "name": of the input right after an opening brace: {"name":…, … } becomes {"name":"dup", "name":…}.
    private byte[] DuplicateMember(byte[] input)
    {
        var names = new List<(int Start, int End)>();
        for (var i = 0; i + 1 < input.Length; i++)
        {
            if (input[i] == (byte)'"')
            {
                var close = Array.IndexOf(input, (byte)'"', i + 1);
                if (close > 0 && close + 1 < input.Length && input[close + 1] == (byte)':')
                {
                    names.Add((i, close + 1));
                    i = close;
                }
            }
        }

        var braces = Positions(input, (byte)'{');
        if (names.Count == 0 || braces.Count == 0)
        {
            return Insert(input, "\"a\":1,\"a\":2,"u8.ToArray());
        }

        var (start, end) = names[_random.Next(names.Count)];
        var value = _random.Next(3) switch { 0 => "\"dup\","u8.ToArray(), 1 => "1,"u8.ToArray(), _ => "{\"a\":1,\"a\":2},"u8.ToArray() };
        var at = braces[_random.Next(braces.Count)] + 1;
        return Insert(input, [.. input.AsSpan(start, end - start + 1), .. value], at);
    }

    private byte[] Oversize(byte[] input)
    {
        var target = _random.Next(2) == 0 ? _random.Next(1, 8192) : _maxLength;
        var chunk = input.Length == 0 ? "x"u8.ToArray() : input[_random.Next(input.Length)..];
        var result = new List<byte>(Math.Min(target, _maxLength));
        while (result.Count < target && result.Count < _maxLength)
        {
            result.AddRange(chunk.Length == 0 ? "x"u8.ToArray() : chunk);
        }

        return [.. result];
    }

    private byte[] DeleteRange(byte[] input)
    {
        if (input.Length < 2)
        {
            return [];
        }

        var start = _random.Next(input.Length);
        var length = _random.Next(1, Math.Min(input.Length - start, 64) + 1);
        return [.. input.AsSpan(0, start), .. input.AsSpan(start + length)];
    }

    private byte[] DuplicateRange(byte[] input)
    {
        if (input.Length == 0)
        {
            return input;
        }

        var start = _random.Next(input.Length);
        var length = _random.Next(1, Math.Min(input.Length - start, 256) + 1);
        return Insert(input, input[start..(start + length)]);
    }

    private byte[] Insert(byte[] input, byte[] bytes) => Insert(input, bytes, _random.Next(input.Length + 1));

    private static byte[] Insert(byte[] input, ReadOnlySpan<byte> bytes, int at) => [.. input.AsSpan(0, at), .. bytes, .. input.AsSpan(at)];

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static List<int> Positions(byte[] input, byte value)
    {
        var positions = new List<int>();
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == value)
            {
                positions.Add(i);
            }
        }

        return positions;
    }
}
