namespace Isg.Protocol.Erasure;

/// <summary>Thrown when a stripe cannot be rebuilt: fewer than the data-shard count of shards survive.</summary>
public sealed class ErasureException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public ErasureException()
        : base("The stripe cannot be reconstructed.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public ErasureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public ErasureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a stripe of which only <paramref name="present"/> of the <paramref name="required"/> shards survive.</summary>
    public ErasureException(int present, int required)
        : base($"Only {present} shards are present; {required} are needed to reconstruct the stripe.")
    {
        Present = present;
        Required = required;
    }

    /// <summary>How many shards were present (0 when not known).</summary>
    public int Present { get; }

    /// <summary>How many shards are needed: the data-shard count (0 when not known).</summary>
    public int Required { get; }
}
