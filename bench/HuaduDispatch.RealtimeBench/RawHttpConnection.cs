using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HuaduDispatch.RealtimeBench;

/// <summary>
/// A protocol client for the driver (like the protocol consoles): one keep-alive HTTP/1.1 connection that writes a POST by
/// hand and reads the answer's status line, headers and body (Content-Length or chunked), one request at a time. It sends
/// the same bytes a radio's HTTP stack would (Host, Authorization, Content-Type, Content-Length, the JSON) to the same Kestrel
/// port; it only skips what the shared HttpClient does besides (pooling, header objects, content streams), which on these
/// 2 cores is CPU the node under test does not get. It reconnects when the server closes the connection.
/// </summary>
public sealed class RawHttpConnection(Uri baseAddress) : IDisposable
{
    private readonly string _host = baseAddress.Authority;
    private Socket? _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start, _end; // unread bytes of the buffer
    private readonly byte[] _body = new byte[64 * 1024];

    public readonly record struct Response(int Status, ReadOnlyMemory<byte> Body);

    public async Task<Response> PostJsonAsync(string path, string authorization, string json, CancellationToken ct)
    {
        if (_socket is null)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new DnsEndPoint(baseAddress.Host, baseAddress.Port), ct);
            _socket = socket;
            _start = _end = 0;
        }
        var request = Encoding.UTF8.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {_host}\r\nAuthorization: {authorization}\r\nContent-Type: application/json; charset=utf-8\r\n" +
            $"Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");
        try
        {
            await _socket.SendAsync(request, ct);
            return await ReadResponseAsync(ct);
        }
        catch
        {
            Close();
            throw;
        }
    }

    private async Task<Response> ReadResponseAsync(CancellationToken ct)
    {
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0) await FillAsync(ct);
        var head = _buffer.AsSpan(_start, headerEnd);
        _start += headerEnd + 4;

        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !head.StartsWith("HTTP/1.1 "u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
            throw new InvalidDataException("not an HTTP/1.1 status line: " + Encoding.ASCII.GetString(head[..Math.Min(head.Length, 40)]));
        long contentLength = -1;
        bool chunked = false, close = false;
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8)) Utf8Parser.TryParse(value, out contentLength, out _);
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8)) chunked = value.IndexOf("chunked"u8) >= 0;
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8)) close = Ascii.EqualsIgnoreCase(value, "close"u8);
        }

        var length = 0;
        if (chunked)
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0) await FillAsync(ct);
                var sizeText = _buffer.AsSpan(_start, lineEnd);
                var semicolon = sizeText.IndexOf((byte)';');
                if (semicolon >= 0) sizeText = sizeText[..semicolon];
                if (!Utf8Parser.TryParse(sizeText, out int size, out _, 'X')) throw new InvalidDataException("bad chunk size");
                _start += lineEnd + 2;
                while (_end - _start < size + 2) await FillAsync(ct);
                if (size == 0) { _start += 2; break; } // no trailers from Kestrel
                Append(_buffer.AsSpan(_start, size), ref length);
                _start += size + 2;
            }
        }
        else if (contentLength > 0)
        {
            while (_end - _start < contentLength) await FillAsync(ct);
            Append(_buffer.AsSpan(_start, (int)contentLength), ref length);
            _start += (int)contentLength;
        }
        if (close) Close();
        return new Response(status, _body.AsMemory(0, length));
    }

    private void Append(ReadOnlySpan<byte> data, ref int length)
    {
        if (length + data.Length > _body.Length) throw new InvalidDataException("answer larger than " + _body.Length + " bytes");
        data.CopyTo(_body.AsSpan(length));
        length += data.Length;
    }

    private async Task FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = await _socket!.ReceiveAsync(_buffer.AsMemory(_end), ct);
        if (read == 0) throw new IOException("the server closed the connection");
        _end += read;
    }

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
        _start = _end = 0;
    }

    public void Dispose() => Close();
}
