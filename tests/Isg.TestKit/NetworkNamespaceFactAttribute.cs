using Xunit;

namespace Isg.TestKit;

/// <summary>
/// A fact that needs <see cref="NetworkNamespace"/> (root and iproute2), and the programs named in the constructor. Where
/// they are missing it is skipped with the reason, except under CI (the CI variable set), where it runs and fails
/// with that reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetworkNamespaceFactAttribute : FactAttribute
{
    /// <summary>Skips (outside CI) when namespaces or any of <paramref name="programs"/> are unavailable.</summary>
    public NetworkNamespaceFactAttribute(params string[] programs)
    {
        if (WhyNot(programs) is { } reason && !NetworkNamespace.InCi)
        {
            Skip = $"needs a network namespace with real multicast: {reason} (under CI this fails instead)";
        }
    }

    /// <summary>What is missing for a test that needs namespaces and <paramref name="programs"/>; null when nothing is.</summary>
    public static string? WhyNot(params string[] programs)
    {
        ArgumentNullException.ThrowIfNull(programs);
        if (NetworkNamespace.Unavailable is { } reason)
        {
            return reason;
        }

        var missing = programs.Where(p => !NetworkNamespace.OnPath(p)).ToList();
        return missing.Count == 0 ? null : $"missing {string.Join(", ", missing)} (test.sh installs avahi-daemon avahi-utils dbus iproute2)";
    }
}
