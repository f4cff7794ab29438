namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// A fact that needs to mount a tmpfs (root, and a sandbox that allows mount(2)); it is reported as skipped, with the
/// reason, where a probe mount fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_whyNot = new(Probe);

    /// <summary>Skips the test when tmpfs cannot be mounted here.</summary>
    public TmpfsFactAttribute()
    {
        if (s_whyNot.Value is { } reason)
        {
            Skip = $"cannot mount a tmpfs here, so the full-disk test cannot run: {reason}";
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        var directory = Path.Combine(Path.GetTempPath(), "isg-e2e-tmpfs-probe-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var (code, output) = IsgSandbox.Exec("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", directory);
            if (code != 0)
            {
                return $"mount exited {code}: {output.Trim()}";
            }

            var (unmounted, text) = IsgSandbox.Exec("umount", directory);
            return unmounted == 0 ? null : $"umount exited {unmounted}: {text.Trim()}";
        }
        finally
        {
            Directory.Delete(directory);
        }
    }
}
