using System.Text;

namespace Gateway.Hardware.Remote;

/// <summary>
/// Newline-delimited UTF-8 text over a stream, with a bound on line length so that a misbehaving peer cannot
/// make the reader buffer without limit. Writes are serialized; one reader at a time.
/// </summary>
internal sealed class LineStream : IAsyncDisposable
{
    /// <summary>Longest line accepted (1 MiB: far above any bus transaction).</summary>
    public const int MaxLineLength = 1 << 20;

    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;

    public LineStream(Stream stream) => _stream = stream;

    /// <summary>The next line without its terminator, or null at end of stream.</summary>
    /// <exception cref="InvalidDataException">A line is longer than <see cref="MaxLineLength"/>.</exception>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                _line.Write(_buffer, _start, newline - _start);
                _start = newline + 1;
                var text = Encoding.UTF8.GetString(_line.GetBuffer(), 0, (int)_line.Length);
                _line.SetLength(0);
                return text;
            }

            _line.Write(_buffer, _start, _end - _start);
            _start = _end = 0;
            if (_line.Length > MaxLineLength)
            {
                throw new InvalidDataException($"line longer than {MaxLineLength} bytes");
            }

            var n = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return null;
            }

            _end = n;
        }
    }

    /// <summary>Writes one line (the text must not contain a newline) and flushes.</summary>
    public async ValueTask WriteLineAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
        await _line.DisposeAsync().ConfigureAwait(false);
    }
}
