namespace Isg.Actors.Catalog;

/// <summary>What the catalogue holds on one backend: <paramref name="Objects"/> chunks (data and parity) and their sealed bytes.</summary>
public sealed record BackendUsage(string Backend, long Objects, long Bytes);
