using System.Security.Cryptography;
using Isg.Protocol.Video;

namespace Isg.Actors.Video;

/// <summary>
/// Takes the payload a decoder rebuilds, in order: opens the <see cref="PayloadCipher"/> segments when the video is
/// encrypted, writes the plaintext to <paramref name="output"/>, and checks length and SHA-256 against the header's
/// metadata at the end. Not thread-safe.
/// </summary>
public sealed class PayloadSink(Stream output, VideoMetadata metadata, PayloadCipher? cipher) : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _sealed = cipher is null ? [] : new byte[PayloadCipher.SegmentBytes + PayloadCipher.TagBytes];
    private readonly byte[] _plain = cipher is null ? [] : new byte[PayloadCipher.SegmentBytes];
    private readonly long _segments = PayloadCipher.SegmentCount(metadata.FileLength);
    private long _written;
    private long _segment;
    private int _buffered;

    /// <summary>Plaintext bytes written so far.</summary>
    public long Written => _written;

    /// <summary>Consumes the next <paramref name="carried"/> bytes of the payload.</summary>
    public void Write(ReadOnlySpan<byte> carried)
    {
        if (cipher is null)
        {
            WritePlain(carried);
            return;
        }

        while (!carried.IsEmpty)
        {
            var segmentLength = SealedSegmentLength(_segment);
            var count = Math.Min(carried.Length, segmentLength - _buffered);
            carried[..count].CopyTo(_sealed.AsSpan(_buffered));
            _buffered += count;
            carried = carried[count..];
            if (_buffered == segmentLength)
            {
                OpenSegment(segmentLength);
            }
        }
    }

    /// <summary>Checks the whole file arrived and matches its SHA-256; throws <see cref="VideoException"/> (Corrupt) otherwise.</summary>
    public void Finish()
    {
        if (_written != metadata.FileLength || (cipher is not null && _segment != _segments))
        {
            throw new VideoException(VideoErrorKind.Corrupt, $"the video carried {_written} bytes of a {metadata.FileLength}-byte file");
        }

        if (!_hash.GetHashAndReset().AsSpan().SequenceEqual(metadata.Sha256))
        {
            throw new VideoException(VideoErrorKind.Corrupt, "the rebuilt file does not match the SHA-256 in the video's header");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _hash.Dispose();

    private int SealedSegmentLength(long segment) =>
        (int)Math.Min(PayloadCipher.SegmentBytes, metadata.FileLength - (segment * PayloadCipher.SegmentBytes)) + PayloadCipher.TagBytes;

    private void OpenSegment(int sealedLength)
    {
        if (_segment >= _segments)
        {
            throw new VideoException(VideoErrorKind.Corrupt, "the video carries more segments than its header declares");
        }

        if (!cipher!.TryOpen(_segment, _segment == _segments - 1, _sealed.AsSpan(0, sealedLength), _plain, out var error))
        {
            throw new VideoException(VideoErrorKind.Corrupt, error.Message);
        }

        WritePlain(_plain.AsSpan(0, sealedLength - PayloadCipher.TagBytes));
        _segment++;
        _buffered = 0;
    }

    private void WritePlain(ReadOnlySpan<byte> plain)
    {
        output.Write(plain);
        _hash.AppendData(plain);
        _written += plain.Length;
    }
}
