namespace Isg.Actors.GarbageCollection;

/// <summary>One stored object: <paramref name="ObjectName"/> on the backend named <paramref name="Backend"/>, <paramref name="Bytes"/> long (0 when unknown).</summary>
public readonly record struct GcObject(string Backend, string ObjectName, long Bytes);
