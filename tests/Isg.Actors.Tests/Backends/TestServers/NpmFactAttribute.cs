namespace Isg.Actors.Tests.Backends.TestServers;

/// <summary>A fact that needs npm tool <c>Tool</c>: skipped with the reason when it is missing outside CI (see <see cref="NpmTools"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NpmFactAttribute : FactAttribute
{
    /// <summary>Skips the test when <paramref name="tool"/> is missing and CI is not set.</summary>
    public NpmFactAttribute(string tool)
    {
        if (NpmTools.SkipReason(tool) is { } reason)
        {
            Skip = reason;
        }
    }
}
