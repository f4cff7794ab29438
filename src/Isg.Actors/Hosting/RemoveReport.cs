namespace Isg.Actors.Hosting;

/// <summary>
/// What an rm removed: catalogue entries, and the blocks that lost their last reference with the sealed bytes of
/// their stored copies, which <c>isg gc</c> reclaims (rm itself deletes no object).
/// </summary>
public sealed record RemoveReport(int Entries, int BlocksReleased, long BytesReclaimable);
