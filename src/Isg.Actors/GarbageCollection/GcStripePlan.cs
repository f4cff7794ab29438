namespace Isg.Actors.GarbageCollection;

/// <summary>A stripe the plan deletes or repacks, with its data blocks split into live and dead ones.</summary>
public sealed record GcStripePlan(GcStripe Stripe, IReadOnlyList<GcBlock> Live, IReadOnlyList<GcBlock> Dead)
{
    /// <summary>Sealed bytes of the dead data blocks.</summary>
    public long DeadBytes => Dead.Sum(b => b.StoredSize);

    /// <summary>Sealed bytes of all data blocks.</summary>
    public long DataBytes => DeadBytes + Live.Sum(b => b.StoredSize);
}
