namespace Isg.Actors.Video;

/// <summary>
/// What a decode saw of the channel: frames read, how many were clean, corrected by the inner code, too damaged,
/// or not data frames of this video (its header frames, frames spliced in from elsewhere); repeated copies; frames the outer code rebuilt; and the raw bit errors the
/// inner code corrected out of the bits it read in frames it could read; groups lost (only a measuring decode gets that far).
/// </summary>
public sealed record VideoDecodeStats(
    long FramesRead, long Clean, long Corrected, long Damaged, long Foreign, long Duplicates, int Rebuilt, long BitErrors, long BitsRead,
    int LostGroups)
{
    /// <summary>Bit errors per bit read, before correction (0 when nothing was read).</summary>
    public double RawBitErrorRate => BitsRead == 0 ? 0 : (double)BitErrors / BitsRead;
}
