using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Isg.Actors.Catalog;

/// <summary>
/// How a connection waits for a lock another connection holds: in steps of 1 to 100 ms until the timeout, the schedule
/// SQLite's own busy handler uses where it was built with <c>usleep</c>. The bundled e_sqlite3 was built without it,
/// so <c>busy_timeout</c> sleeps a whole second at each try: a writer blocked by a 30 ms commit waited 1,001 ms
/// (a fresh device's first catalogue pull stalled for a second while its peers table was written). SQLitePCLRaw 2.0
/// does not expose <c>sqlite3_busy_handler</c>, so it is called in the library directly.
/// </summary>
internal static unsafe partial class SqliteBusyWait
{
    private static readonly int[] s_delays = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

    /// <summary>Makes <paramref name="connection"/> (open) wait up to <paramref name="timeout"/> for locks.</summary>
    public static void Install(SqliteConnection connection, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Install(connection.Handle ?? throw new InvalidOperationException("the connection is not open"), timeout);
    }

    /// <summary>Makes <paramref name="database"/> wait up to <paramref name="timeout"/> for locks.</summary>
    public static void Install(sqlite3 database, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(database);
        var milliseconds = (nint)Math.Clamp((long)timeout.TotalMilliseconds, 1, int.MaxValue);
        var rc = sqlite3_busy_handler(database.DangerousGetHandle(), &OnBusy, milliseconds);
        if (rc != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"sqlite3_busy_handler failed with {rc}");
        }
    }

    /// <summary>
    /// How long to sleep before try <paramref name="tries"/> + 1 (0 based) when waiting at most
    /// <paramref name="timeoutMilliseconds"/>; 0 gives up.
    /// </summary>
    internal static int DelayBefore(int tries, long timeoutMilliseconds)
    {
        var last = s_delays.Length - 1;
        long slept = (long)Math.Max(0, tries - last) * s_delays[last];
        for (var i = 0; i < Math.Min(tries, last); i++)
        {
            slept += s_delays[i];
        }

        return (int)Math.Clamp(timeoutMilliseconds - slept, 0, s_delays[Math.Min(tries, last)]);
    }

    // SQLite calls this on the thread whose statement met the lock; returning 0 makes the statement fail with BUSY.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnBusy(nint timeoutMilliseconds, int tries)
    {
        var delay = DelayBefore(tries, timeoutMilliseconds);
        if (delay == 0)
        {
            return 0;
        }

        Thread.Sleep(delay);
        return 1;
    }

    [LibraryImport("e_sqlite3")]
    private static partial int sqlite3_busy_handler(nint database, delegate* unmanaged[Cdecl]<nint, int, int> handler, nint argument);
}
