namespace Isg.Actors.Healing;

/// <summary>The repository's overall health.</summary>
public enum HealthState
{
    /// <summary>No recorded fault: full redundancy as far as the last verification knows.</summary>
    Healthy,
    /// <summary>Some shards are bad but every block can still be rebuilt: a repair restores full redundancy.</summary>
    Degraded,
    /// <summary>At least one block or stripe has lost more shards than it can rebuild from.</summary>
    Lost,
}
