namespace Isg.Actors.Backends.Video;

/// <summary>An object going into a pack: its name and the file holding exactly its <paramref name="Length"/> bytes.</summary>
public sealed record PackSource(string Name, string Path, int Length);
