namespace Isg.Actors.Catalog;

/// <summary>Initialises the bundled native SQLite exactly once per process.</summary>
internal static class SqliteRuntime
{
    private static readonly Lazy<bool> s_initialized = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    /// <summary>Ensures the native library is loaded; cheap after the first call, thread-safe.</summary>
    public static void EnsureInitialized() => _ = s_initialized.Value;
}
