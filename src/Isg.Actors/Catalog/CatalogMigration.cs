namespace Isg.Actors.Catalog;

/// <summary>
/// One schema step: after it runs, <c>PRAGMA user_version</c> is <paramref name="Version"/>. <paramref name="Sql"/>
/// runs inside the same transaction as the version bump, so a step is applied entirely or not at all.
/// </summary>
public sealed record CatalogMigration(int Version, string Name, string Sql);
