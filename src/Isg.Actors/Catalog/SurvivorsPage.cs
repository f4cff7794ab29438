using Isg.Protocol.Crdt;

namespace Isg.Actors.Catalog;

/// <summary>Surviving operations of a path range (<see cref="CatalogReader.ReadSurvivors"/>): <paramref name="More"/> after <paramref name="LastPath"/>.</summary>
public sealed record SurvivorsPage(IReadOnlyList<CatalogOperation> Operations, bool More, string? LastPath);
