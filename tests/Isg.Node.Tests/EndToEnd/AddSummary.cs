namespace Isg.Node.Tests.EndToEnd;

/// <summary>The summary line of `isg add`: files added, unchanged and failed, bytes read (as printed), new and deduplicated blocks.</summary>
public sealed record AddSummary(int Added, int Unchanged, int Failed, string Read, int NewBlocks, int DedupBlocks);
