namespace Isg.Protocol.Video;

/// <summary>
/// Where every byte of a payload goes: data frames of <see cref="FramePayloadBytes"/> each, in groups of
/// <see cref="GroupDataFrames"/> data frames followed by <see cref="GroupParityFrames"/> parity frames (the last group
/// may hold fewer data frames; it keeps all its parity). Frame indexes count data and parity frames together from 0;
/// header frames are not counted. Immutable.
/// </summary>
public sealed class VideoPlan
{
    /// <summary>Plans <paramref name="payloadLength"/> bytes; throws when the video would exceed int.MaxValue frames.</summary>
    public VideoPlan(long payloadLength, int framePayloadBytes, int groupDataFrames, int groupParityFrames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(framePayloadBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groupDataFrames);
        ArgumentOutOfRangeException.ThrowIfNegative(groupParityFrames);
        PayloadLength = payloadLength;
        FramePayloadBytes = framePayloadBytes;
        GroupDataFrames = groupDataFrames;
        GroupParityFrames = groupParityFrames;
        var dataFrames = (payloadLength + framePayloadBytes - 1) / framePayloadBytes;
        var groups = (dataFrames + groupDataFrames - 1) / groupDataFrames;
        var total = dataFrames + (groups * groupParityFrames);
        if (total > int.MaxValue / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, "The payload needs too many frames.");
        }

        DataFrames = (int)dataFrames;
        Groups = (int)groups;
        TotalFrames = (int)total;
    }

    /// <summary>Bytes carried.</summary>
    public long PayloadLength { get; }

    /// <summary>Payload bytes per data frame.</summary>
    public int FramePayloadBytes { get; }

    /// <summary>Data frames per full group.</summary>
    public int GroupDataFrames { get; }

    /// <summary>Parity frames per group.</summary>
    public int GroupParityFrames { get; }

    /// <summary>Data frames in the video.</summary>
    public int DataFrames { get; }

    /// <summary>Outer-code groups.</summary>
    public int Groups { get; }

    /// <summary>Data and parity frames in the video.</summary>
    public int TotalFrames { get; }

    /// <summary>Data frames in group <paramref name="group"/> (the last one may be short).</summary>
    public int DataFramesIn(int group) =>
        group < Groups - 1 ? GroupDataFrames : DataFrames - (GroupDataFrames * (Groups - 1));

    /// <summary>Index of the first frame of <paramref name="group"/>.</summary>
    public int FirstFrameOf(int group) => group * (GroupDataFrames + GroupParityFrames);

    /// <summary>The group of frame <paramref name="frameIndex"/> and its position inside it (data first, then parity).</summary>
    public (int Group, int Position) Locate(int frameIndex) =>
        (frameIndex / (GroupDataFrames + GroupParityFrames), frameIndex % (GroupDataFrames + GroupParityFrames));

    /// <summary>The kind of frame <paramref name="frameIndex"/> has to be.</summary>
    public FrameKind KindOf(int frameIndex)
    {
        var (group, position) = Locate(frameIndex);
        return position < DataFramesIn(group) ? FrameKind.Data : FrameKind.Parity;
    }

    /// <summary>Payload bytes data frame <paramref name="frameIndex"/> carries (the last one may be short).</summary>
    public int PayloadLengthOf(int frameIndex)
    {
        var (group, position) = Locate(frameIndex);
        var ordinal = ((long)group * GroupDataFrames) + position;
        return (int)Math.Min(FramePayloadBytes, PayloadLength - (ordinal * FramePayloadBytes));
    }
}
