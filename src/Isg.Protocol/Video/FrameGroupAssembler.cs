using Isg.Protocol.Erasure;

namespace Isg.Protocol.Video;

/// <summary>
/// Puts decoded frames back in order, one outer-code group at a time, whatever order, repetition or gaps the
/// platform returned them in. A group is settled once all its data frames are in, once a frame arrives from
/// <see cref="ReorderWindow"/> groups further on, or at the end of the stream; a settled group missing data frames is
/// rebuilt from any k of its frames with the Reed-Solomon erasure code. Only the groups inside the window are held
/// (each (k + m) × frame payload bytes, buffers reused), so memory does not grow with the video. Not thread-safe:
/// one reader thread offers frames and takes groups.
/// </summary>
public sealed class FrameGroupAssembler
{
    /// <summary>Groups a frame may arrive late by before its group is settled without it.</summary>
    public const int ReorderWindow = 2;

    private readonly VideoPlan _plan;
    private readonly Dictionary<int, GroupBuffer> _open = [];
    private readonly Stack<byte[]> _spare = new();
    private readonly Dictionary<int, ReedSolomonCodec> _codecs = [];
    private int _highestGroup = -1;
    private bool _complete;
    private GroupBuffer? _taken;

    /// <summary>An assembler for the frames of <paramref name="plan"/>.</summary>
    public FrameGroupAssembler(VideoPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _plan = plan;
    }

    /// <summary>The next group to be taken.</summary>
    public int NextGroup { get; private set; }

    /// <summary>Data frames rebuilt from parity so far.</summary>
    public int RebuiltFrames { get; private set; }

    /// <summary>Frames offered again after their first good copy.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Offers one good frame: its meta and its <see cref="VideoPlan.FramePayloadBytes"/>-byte payload (zero-padded).</summary>
    public FrameOffer Offer(FrameMeta meta, ReadOnlySpan<byte> payload)
    {
        if (meta.Index >= _plan.TotalFrames || meta.Kind != _plan.KindOf(meta.Index) || payload.Length != _plan.FramePayloadBytes
            || (meta.Kind == FrameKind.Data && meta.PayloadLength != _plan.PayloadLengthOf(meta.Index)))
        {
            return FrameOffer.OutOfPlan;
        }

        var (group, position) = _plan.Locate(meta.Index);
        if (group < NextGroup)
        {
            Duplicates++;
            return FrameOffer.Late;
        }

        if (!_open.TryGetValue(group, out var buffer))
        {
            buffer = new GroupBuffer(Rent(), _plan.GroupDataFrames + _plan.GroupParityFrames);
            _open[group] = buffer;
        }

        _highestGroup = Math.Max(_highestGroup, group);
        if (buffer.Present[position])
        {
            Duplicates++;
            return FrameOffer.Duplicate;
        }

        payload.CopyTo(buffer.Bytes.AsSpan(position * _plan.FramePayloadBytes));
        buffer.Present[position] = true;
        return FrameOffer.Accepted;
    }

    /// <summary>Marks the end of the stream: every group still open is settled.</summary>
    public void Complete() => _complete = true;

    /// <summary>
    /// Whether the next group can be written: on <see cref="GroupStatus.Ready"/>, <see cref="DataFrame"/> gives its
    /// data frames until <see cref="Release"/>; on <see cref="GroupStatus.Lost"/>, <paramref name="missing"/> says how
    /// many of its frames never arrived intact.
    /// </summary>
    public GroupStatus TryTakeNext(out int missing)
    {
        missing = 0;
        if (_taken is not null)
        {
            throw new InvalidOperationException("Release the group taken before taking the next.");
        }

        if (NextGroup >= _plan.Groups)
        {
            return GroupStatus.Finished;
        }

        var k = _plan.DataFramesIn(NextGroup);
        var settled = _complete || _highestGroup >= NextGroup + ReorderWindow;
        _open.TryGetValue(NextGroup, out var buffer);
        var dataPresent = buffer is null ? 0 : buffer.Present.AsSpan(0, k).Count(true);
        if (dataPresent == k)
        {
            _taken = buffer;
            return GroupStatus.Ready;
        }

        if (!settled)
        {
            return GroupStatus.Waiting;
        }

        var frames = k + _plan.GroupParityFrames;
        var present = buffer is null ? 0 : buffer.Present.AsSpan(0, frames).Count(true);
        if (present < k)
        {
            missing = frames - present;
            return GroupStatus.Lost;
        }

        Rebuild(buffer!, k);
        RebuiltFrames += k - dataPresent;
        _taken = buffer;
        return GroupStatus.Ready;
    }

    /// <summary>Data frame <paramref name="position"/> of the group taken, trimmed to the bytes it carries.</summary>
    public ReadOnlySpan<byte> DataFrame(int position)
    {
        var buffer = _taken ?? throw new InvalidOperationException("No group is taken.");
        var frameIndex = _plan.FirstFrameOf(NextGroup) + position;
        return buffer.Bytes.AsSpan(position * _plan.FramePayloadBytes, _plan.PayloadLengthOf(frameIndex));
    }

    /// <summary>Data frames in the group taken.</summary>
    public int DataFramesInTaken => _plan.DataFramesIn(NextGroup);

    /// <summary>Finishes with the group taken (or skips a lost one) and moves on to the next.</summary>
    public void Release()
    {
        if (_open.Remove(NextGroup, out var buffer))
        {
            _spare.Push(buffer.Bytes);
        }

        _taken = null;
        NextGroup++;
    }

    private byte[] Rent() =>
        _spare.Count > 0 ? _spare.Pop() : new byte[(_plan.GroupDataFrames + _plan.GroupParityFrames) * _plan.FramePayloadBytes];

    private void Rebuild(GroupBuffer buffer, int k)
    {
        var m = _plan.GroupParityFrames;
        if (!_codecs.TryGetValue(k, out var codec))
        {
            codec = ReedSolomonCodec.Create(k, m);
            _codecs[k] = codec;
        }

        var shards = new Memory<byte>[k + m];
        for (var i = 0; i < k + m; i++)
        {
            shards[i] = buffer.Bytes.AsMemory(i * _plan.FramePayloadBytes, _plan.FramePayloadBytes);
        }

        codec.Reconstruct(shards, buffer.Present.AsSpan(0, k + m));
        buffer.Present.AsSpan(0, k).Fill(true);
    }

    private sealed class GroupBuffer(byte[] bytes, int frames)
    {
        public byte[] Bytes { get; } = bytes;

        public bool[] Present { get; } = new bool[frames];
    }
}
