namespace Isg.Actors.Catalog;

/// <summary>One inconsistency found by <see cref="CatalogDatabase.IntegrityCheck"/>, with a message naming the rows involved.</summary>
public sealed record CatalogProblem(CatalogProblemKind Kind, string Message);
