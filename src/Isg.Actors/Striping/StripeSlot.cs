using Isg.Actors.Backends;

namespace Isg.Actors.Striping;

/// <summary>
/// Where one new block goes: <see cref="Backend"/>, and (with redundancy) the job's stripe number and its shard
/// index there. Hand it back to <see cref="StripeAssembler.ReportAsync"/> once the put is done or has failed.
/// </summary>
public sealed class StripeSlot
{
    internal StripeSlot(IStorageBackend backend, object? stripe, long sequence, int index)
    {
        Backend = backend;
        Stripe = stripe;
        Sequence = sequence;
        Index = index;
    }

    /// <summary>The backend the block goes to.</summary>
    public IStorageBackend Backend { get; }

    /// <summary>The job's stripe number (0, 1, …); -1 without redundancy.</summary>
    public long Sequence { get; }

    /// <summary>The block's shard index in its stripe (0..k-1); -1 without redundancy.</summary>
    public int Index { get; }

    internal object? Stripe { get; }
}
