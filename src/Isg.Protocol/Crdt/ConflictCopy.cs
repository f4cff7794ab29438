namespace Isg.Protocol.Crdt;

/// <summary>A losing concurrent version of a path, shown at <paramref name="Path"/> (see <see cref="ConflictCopyName"/>).</summary>
public sealed record ConflictCopy(string Path, CatalogOperation Operation);
