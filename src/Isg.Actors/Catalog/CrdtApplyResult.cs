namespace Isg.Actors.Catalog;

/// <summary>What <see cref="CatalogWriter.ApplyOperations"/> did: operations newly logged, and paths materialised again.</summary>
public sealed record CrdtApplyResult(int Applied, int PathsChanged);
