namespace Isg.Actors.Hosting;

/// <summary>What a check looked at and every problem it found (empty when healthy).</summary>
public sealed record CheckReport(int Files, int BlocksChecked, IReadOnlyList<string> Problems);
