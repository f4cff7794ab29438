namespace Isg.Node.Bench;

/// <summary>Where an erasure benchmark's stripes come from, as in ISA-L's C harness (../shared/anchors/rs-isal.c).</summary>
public enum ErasureBenchMode
{
    /// <summary>The same stripe over and over: the data stays in the CPU caches.</summary>
    Hot = 0,

    /// <summary>Stripes rotate through a 256 MiB pool of data, so every one comes from memory, as in a pipeline.</summary>
    Stream = 1,
}
