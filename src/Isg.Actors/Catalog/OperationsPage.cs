using Isg.Protocol.Crdt;

namespace Isg.Actors.Catalog;

/// <summary>
/// A page of operations a peer lacks (<see cref="CatalogReader.ReadOperationsAfter"/>): <paramref name="More"/> when
/// the page was cut short; <paramref name="SnapshotRequired"/> when the peer is behind what was collected here
/// (<paramref name="Collected"/>), so it must take the surviving state instead of the log.
/// </summary>
public sealed record OperationsPage(IReadOnlyList<CatalogOperation> Operations, bool More, bool SnapshotRequired, VersionVector Collected);
