namespace Isg.Actors.Catalog;

/// <summary>How one set of blocks differs from another: blocks (and plaintext bytes) only in the second, and only in the first.</summary>
public sealed record BlockSetChange(long BlocksAdded, long BytesAdded, long BlocksRemoved, long BytesRemoved);
