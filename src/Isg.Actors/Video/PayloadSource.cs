using System.Security.Cryptography;
using Isg.Protocol.Video;

namespace Isg.Actors.Video;

/// <summary>
/// The bytes an encoder puts into data frames: the file itself, or its <see cref="PayloadCipher"/> segments when
/// encrypting. Hashes the plaintext as it goes so the encoder can prove the file did not change after the header
/// (which carries its length and SHA-256) was written. Not thread-safe.
/// </summary>
public sealed class PayloadSource : IDisposable
{
    private readonly Stream _input;
    private readonly long _plaintextLength;
    private readonly PayloadCipher? _cipher;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _plain;
    private readonly byte[] _sealed;
    private long _plaintextRead;
    private long _segment;
    private int _sealedOffset;
    private int _sealedLength;

    /// <summary>Reads <paramref name="plaintextLength"/> bytes of <paramref name="input"/>, sealed by <paramref name="cipher"/> when given.</summary>
    public PayloadSource(Stream input, long plaintextLength, PayloadCipher? cipher)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _plaintextLength = plaintextLength;
        _cipher = cipher;
        _plain = new byte[PayloadCipher.SegmentBytes];
        _sealed = cipher is null ? [] : new byte[PayloadCipher.SegmentBytes + PayloadCipher.TagBytes];
    }

    /// <summary>Bytes this source yields in all.</summary>
    public long Length => _cipher is null ? _plaintextLength : PayloadCipher.SealedLength(_plaintextLength);

    /// <summary>Fills <paramref name="destination"/> as far as the payload goes and returns the count.</summary>
    public int Fill(Span<byte> destination)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            if (_cipher is null)
            {
                var read = ReadPlain(destination[filled..]);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                continue;
            }

            if (_sealedOffset == _sealedLength && !SealNextSegment())
            {
                break;
            }

            var count = Math.Min(destination.Length - filled, _sealedLength - _sealedOffset);
            _sealed.AsSpan(_sealedOffset, count).CopyTo(destination[filled..]);
            _sealedOffset += count;
            filled += count;
        }

        return filled;
    }

    /// <summary>
    /// Checks that the whole file was read and hashes to <paramref name="expectedSha256"/>; throws
    /// <see cref="VideoException"/> (<see cref="VideoErrorKind.BadInput"/>) when it changed while it was encoded.
    /// </summary>
    public void VerifyUnchanged(ReadOnlySpan<byte> expectedSha256)
    {
        Span<byte> probe = stackalloc byte[1];
        if (_plaintextRead != _plaintextLength || _input.Read(probe) != 0
            || !_hash.GetHashAndReset().AsSpan().SequenceEqual(expectedSha256))
        {
            throw new VideoException(VideoErrorKind.BadInput, "the file changed while it was being encoded");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _hash.Dispose();

    private bool SealNextSegment()
    {
        var segments = PayloadCipher.SegmentCount(_plaintextLength);
        if (_segment >= segments)
        {
            return false;
        }

        var want = (int)Math.Min(PayloadCipher.SegmentBytes, _plaintextLength - _plaintextRead);
        var got = 0;
        while (got < want)
        {
            var read = ReadPlain(_plain.AsSpan(got, want - got));
            if (read == 0)
            {
                throw new VideoException(VideoErrorKind.BadInput, "the file shrank while it was being encoded");
            }

            got += read;
        }

        _cipher!.Seal(_segment, _segment == segments - 1, _plain.AsSpan(0, want), _sealed);
        _segment++;
        _sealedOffset = 0;
        _sealedLength = want + PayloadCipher.TagBytes;
        return true;
    }

    private int ReadPlain(Span<byte> destination)
    {
        var limit = (int)Math.Min(destination.Length, _plaintextLength - _plaintextRead);
        if (limit == 0)
        {
            return 0;
        }

        var read = _input.Read(destination[..limit]);
        _hash.AppendData(destination[..read]);
        _plaintextRead += read;
        return read;
    }
}
