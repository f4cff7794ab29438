namespace Isg.Actors.Peers.Transport;

/// <summary>
/// The socket's stream as TLS sees it. Reads take whatever the socket holds, up to a large buffer, in one receive, and
/// hand it out from there. Writes go straight through, except between <see cref="Gather"/> and the next
/// <see cref="FlushAsync(CancellationToken)"/>: then they are gathered and sent in sends of up to the buffer's size.
/// TLS reads and writes one record (at most about 16 KiB) at a time, so a node receiving blocks made some 30,000
/// receive calls per 256 MiB, and one sending them made 16,000 sends, each a system call and, on the other side, often
/// a wake-up. One reader and one writer may run at once (they share nothing); two concurrent reads, or writes, may not.
/// Not a <see cref="BufferedStream"/>: that one's single buffer serves reads and writes alike, and the connection
/// reads and writes concurrently.
/// </summary>
internal sealed class SocketCarrierStream(Stream inner, int readBytes, int sendBytes) : Stream
{
    private readonly byte[] _buffer = new byte[readBytes];
    private readonly byte[] _sendBuffer = new byte[sendBytes];
    private int _start;
    private int _end;
    private int _gathered;
    private bool _gathering;

    /// <summary>
    /// Gathers the writes that follow until the next <see cref="FlushAsync(CancellationToken)"/>, which sends what is
    /// left. Whoever calls this must flush before waiting on the peer, or the peer may wait for bytes held here.
    /// </summary>
    public void Gather() => _gathering = true;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_start == _end)
        {
            if (buffer.Length >= _buffer.Length)
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            _start = 0;
            _end = await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        }

        return TakeBuffered(buffer.Span);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_start == _end)
        {
            if (buffer.Length >= _buffer.Length)
            {
                return inner.Read(buffer);
            }

            _start = 0;
            _end = inner.Read(_buffer);
        }

        return TakeBuffered(buffer);
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TryGather(buffer.Span))
        {
            return ValueTask.CompletedTask;
        }

        return _gathering ? SendGatheredThenAsync(buffer, cancellationToken) : inner.WriteAsync(buffer, cancellationToken);
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (TryGather(buffer))
        {
            return;
        }

        if (_gathering)
        {
            SendGathered();
            if (buffer.Length < _sendBuffer.Length)
            {
                TryGather(buffer);
                return;
            }
        }

        inner.Write(buffer);
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Sends what was gathered, ends gathering, and flushes the inner stream.</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        _gathering = false;
        await SendGatheredAsync(cancellationToken).ConfigureAwait(false);
        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Flush()
    {
        _gathering = false;
        SendGathered();
        inner.Flush();
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    // The gathered bytes, then the buffer: gathered too when it is smaller than the gather, else sent as it is.
    private async ValueTask SendGatheredThenAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await SendGatheredAsync(cancellationToken).ConfigureAwait(false);
        if (buffer.Length < _sendBuffer.Length)
        {
            TryGather(buffer.Span);
            return;
        }

        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    // Copies bytes to the gather when gathering and they fit in what is left of it.
    private bool TryGather(ReadOnlySpan<byte> bytes)
    {
        if (!_gathering || _gathered + bytes.Length > _sendBuffer.Length)
        {
            return false;
        }

        bytes.CopyTo(_sendBuffer.AsSpan(_gathered));
        _gathered += bytes.Length;
        return true;
    }

    private ValueTask SendGatheredAsync(CancellationToken cancellationToken)
    {
        var count = _gathered;
        _gathered = 0;
        return count == 0 ? ValueTask.CompletedTask : inner.WriteAsync(_sendBuffer.AsMemory(0, count), cancellationToken);
    }

    private void SendGathered()
    {
        var count = _gathered;
        _gathered = 0;
        if (count > 0)
        {
            inner.Write(_sendBuffer, 0, count);
        }
    }

    // Zero when the inner stream has ended (its read returned 0, leaving nothing buffered).
    private int TakeBuffered(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }
}
