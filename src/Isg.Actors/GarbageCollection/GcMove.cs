using Isg.Protocol.Hashing;

namespace Isg.Actors.GarbageCollection;

/// <summary>A live block a repack wrote to a new place: <paramref name="ObjectName"/> on <paramref name="Backend"/>, which supersedes its other copies.</summary>
public sealed record GcMove(BlockId Block, string Backend, string ObjectName);
