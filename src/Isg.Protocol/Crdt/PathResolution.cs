namespace Isg.Protocol.Crdt;

/// <summary>
/// What a path's surviving operations mean for the catalogue (DESIGN.md §5): <see cref="Winner"/> holds the path
/// (null when every survivor is a delete), each of <see cref="Copies"/> keeps a losing concurrent version under a
/// conflict copy name. An edit beats a delete: a delete that survives beside a concurrent write is ignored.
/// Survivors with equal versions are one version (two devices wrote the same content), so they do not conflict.
/// </summary>
public sealed record PathResolution(string Path, CatalogOperation? Winner, IReadOnlyList<ConflictCopy> Copies)
{
    /// <summary>Resolves the surviving operations <paramref name="survivors"/> of <paramref name="path"/>; deterministic.</summary>
    public static PathResolution Resolve(string path, IReadOnlyCollection<CatalogOperation> survivors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(survivors);

        // Latest first; one representative (the latest) per distinct version.
        var writes = survivors.Where(o => o.Version is not null).ToList();
        writes.Sort((a, b) => CatalogOperation.CompareByClock(b, a));
        var distinct = new List<CatalogOperation>(writes.Count);
        foreach (var write in writes)
        {
            if (!distinct.Exists(d => d.Version!.Equals(write.Version)))
            {
                distinct.Add(write);
            }
        }

        if (distinct.Count == 0)
        {
            return new PathResolution(path, null, []);
        }

        var winner = distinct[0];
        var copies = new List<ConflictCopy>(distinct.Count - 1);
        for (var i = 1; i < distinct.Count; i++)
        {
            copies.Add(new ConflictCopy(ConflictCopyName.For(path, distinct[i].Id.Device, winner.Id.Device), distinct[i]));
        }

        return new PathResolution(path, winner, copies);
    }
}
