using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Benchmarks;

/// <summary>
/// The raw baseline of the command benchmark: a loopback peer on one thread, blocking on one connection, that answers
/// each line at once with <c>{"type":"result","id":…,"ok":true}</c> for the line's <c>id</c>: no parse beyond finding
/// the id, no signature, no journal, no audit.
/// </summary>
internal sealed class ResultEcho : IDisposable
{
    private static readonly byte[] IdKey = "\"id\":\""u8.ToArray();
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Thread _thread;

    public ResultEcho()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        _thread = new Thread(Serve) { IsBackground = true, Name = "result echo" };
        _thread.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public void Dispose()
    {
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    private void Serve()
    {
        try
        {
            using var peer = _listener.Accept();
            peer.NoDelay = true;
            var buffer = new byte[64 * 1024];
            var reply = new byte[256];
            var filled = 0;
            while (true)
            {
                var n = peer.Receive(buffer.AsSpan(filled));
                if (n == 0)
                {
                    return;
                }

                filled += n;
                var start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    var line = buffer.AsSpan(start, newline);
                    var at = line.IndexOf(IdKey) + IdKey.Length;
                    var id = line[at..];
                    id = id[..id.IndexOf((byte)'"')];
                    var length = Encoding.ASCII.GetBytes("{\"type\":\"result\",\"id\":\"", reply);
                    id.CopyTo(reply.AsSpan(length));
                    length += id.Length;
                    length += Encoding.ASCII.GetBytes("\",\"ok\":true}\n", reply.AsSpan(length));
                    peer.Send(reply.AsSpan(0, length));
                    start += newline + 1;
                }

                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // the listener was disposed, or the client went away: the baseline is over
        }
    }
}
