namespace Isg.Actors.Video;

/// <summary>
/// Where ffmpeg and ffprobe are: the <c>ISG_FFMPEG</c> / <c>ISG_FFPROBE</c> environment variables when set, else the
/// first match on <c>PATH</c>, else the bare name (starting it then fails with <see cref="VideoToolErrorKind.NotFound"/>).
/// Resolved on every access, so a changed environment takes effect at the next start.
/// </summary>
public static class FfmpegTools
{
    /// <summary>Environment variable that overrides the ffmpeg executable.</summary>
    public const string FfmpegVariable = "ISG_FFMPEG";

    /// <summary>Environment variable that overrides the ffprobe executable.</summary>
    public const string FfprobeVariable = "ISG_FFPROBE";

    /// <summary>What to tell a user whose machine lacks ffmpeg.</summary>
    public const string InstallHint = "install it with `apt-get install ffmpeg`, or set ISG_FFMPEG and ISG_FFPROBE to the executables";

    // Tests point the tools elsewhere for their own async flow only, so parallel tests keep the real ffmpeg.
    private static readonly AsyncLocal<string?> s_ffmpegOverride = new();
    private static readonly AsyncLocal<string?> s_ffprobeOverride = new();

    /// <summary>The ffmpeg executable to start.</summary>
    public static string FfmpegPath =>
        Resolve(s_ffmpegOverride.Value ?? Environment.GetEnvironmentVariable(FfmpegVariable), "ffmpeg", Environment.GetEnvironmentVariable("PATH"));

    /// <summary>The ffprobe executable to start.</summary>
    public static string FfprobePath =>
        Resolve(s_ffprobeOverride.Value ?? Environment.GetEnvironmentVariable(FfprobeVariable), "ffprobe", Environment.GetEnvironmentVariable("PATH"));

    /// <summary>True when both executables exist as files (it does not run them).</summary>
    public static bool IsAvailable => File.Exists(FfmpegPath) && File.Exists(FfprobePath);

    /// <summary>The configured path when non-empty, else <paramref name="toolName"/> found in <paramref name="searchPath"/>, else the bare name.</summary>
    internal static string Resolve(string? configured, string toolName, string? searchPath)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        if (!string.IsNullOrEmpty(searchPath))
        {
            foreach (string directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string candidate = Path.Combine(directory, toolName);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return toolName;
    }

    /// <summary>For tests: uses the given executables in the caller's async flow until the result is disposed.</summary>
    internal static IDisposable UseToolPaths(string? ffmpeg, string? ffprobe)
    {
        string? previousFfmpeg = s_ffmpegOverride.Value;
        string? previousFfprobe = s_ffprobeOverride.Value;
        s_ffmpegOverride.Value = ffmpeg;
        s_ffprobeOverride.Value = ffprobe;
        return new Restore(previousFfmpeg, previousFfprobe);
    }

    private sealed class Restore(string? ffmpeg, string? ffprobe) : IDisposable
    {
        public void Dispose()
        {
            s_ffmpegOverride.Value = ffmpeg;
            s_ffprobeOverride.Value = ffprobe;
        }
    }
}
