namespace Isg.Actors.Hosting;

/// <summary>What an rm removed: catalogue entries and the blocks no other file used.</summary>
public sealed record RemoveReport(int Entries, int BlocksFreed, long BytesFreed);
