namespace Isg.Protocol.Erasure;

/// <summary>Which Reed-Solomon engine a <see cref="ReedSolomonCodec"/> uses; all produce identical shards.</summary>
public enum ErasureImplementation
{
    /// <summary>ISA-L when libisal.so.2 loads, otherwise the managed codec.</summary>
    Auto = 0,

    /// <summary>Intel ISA-L (Debian libisal2) through P/Invoke.</summary>
    Isal = 1,

    /// <summary>The managed codec, vectorised with the widest instructions the CPU has.</summary>
    Managed = 2,
}
