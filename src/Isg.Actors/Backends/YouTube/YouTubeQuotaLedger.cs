using System.Globalization;
using System.Text;
using Isg.Actors.Storage;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// The API units spent today, where "today" is the Pacific-time day on which YouTube resets quotas (midnight in
/// America/Los_Angeles). Persisted in one small file (written atomically at every charge) so a restart does not forget
/// what was spent. Charging refuses, before the call is made, anything that would go over the daily limit. Thread-safe.
/// </summary>
public sealed class YouTubeQuotaLedger
{
    /// <summary>Units a videos.insert costs.</summary>
    public const long UploadCost = 1600;

    /// <summary>Units a videos.list costs.</summary>
    public const long ListCost = 1;

    /// <summary>Units a videos.delete costs.</summary>
    public const long DeleteCost = 50;

    private static readonly TimeZoneInfo s_pacific = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");

    private readonly string _path;
    private readonly long _limit;
    private readonly TimeProvider _time;
    private readonly string _backend;
    private readonly Lock _lock = new();
    private DateOnly _day;
    private long _used;

    /// <summary>Opens the ledger file at <paramref name="path"/> (absent or unreadable: nothing spent) for <paramref name="limit"/> units a day.</summary>
    public YouTubeQuotaLedger(string path, long limit, TimeProvider time, string backend)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentNullException.ThrowIfNull(time);
        _path = path;
        _limit = limit;
        _time = time;
        _backend = backend;
        _day = PacificDay(time.GetUtcNow());
        if (File.Exists(path))
        {
            var parts = File.ReadAllText(path, Encoding.ASCII).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 2
                && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var used)
                && day == _day)
            {
                _used = used;
            }
        }
    }

    /// <summary>Units a day.</summary>
    public long Limit => _limit;

    /// <summary>Units spent today (Pacific time).</summary>
    public long Used
    {
        get
        {
            lock (_lock)
            {
                Roll();
                return _used;
            }
        }
    }

    /// <summary>Units left today.</summary>
    public long Remaining => Math.Max(0, _limit - Used);

    /// <summary>The Pacific-time calendar day of <paramref name="instant"/>.</summary>
    public static DateOnly PacificDay(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, s_pacific).DateTime);

    /// <summary>The instant of the next Pacific midnight after <paramref name="instant"/>, when quotas reset.</summary>
    public static DateTimeOffset NextReset(DateTimeOffset instant)
    {
        var next = PacificDay(instant).AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(next, s_pacific.GetUtcOffset(next));
    }

    /// <summary>How long until the quota resets.</summary>
    public TimeSpan UntilReset()
    {
        var now = _time.GetUtcNow();
        return NextReset(now) - now;
    }

    /// <summary>
    /// Records <paramref name="units"/> as spent (durably) before a call that costs them; throws a QuotaExceeded
    /// <see cref="BackendException"/> with RetryAfter until the reset, spending nothing, when they do not fit today.
    /// </summary>
    public void Charge(long units, string operation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        lock (_lock)
        {
            Roll();
            if (_used + units > _limit)
            {
                throw new BackendException(BackendFailureKind.QuotaExceeded, _backend,
                    $"{operation} needs {units} API units and {_limit - Math.Min(_used, _limit)} of {_limit} are left today (Pacific time)")
                {
                    RetryAfter = UntilReset(),
                };
            }

            _used += units;
            Save();
        }
    }

    /// <summary>Records that the platform said the quota is used up (403 quotaExceeded): nothing more is tried today.</summary>
    public void MarkExhausted()
    {
        lock (_lock)
        {
            Roll();
            _used = Math.Max(_used, _limit);
            Save();
        }
    }

    // Caller holds _lock.
    private void Roll()
    {
        var today = PacificDay(_time.GetUtcNow());
        if (today != _day)
        {
            _day = today;
            _used = 0;
        }
    }

    // Caller holds _lock.
    private void Save() =>
        AtomicFile.WriteAllBytes(_path, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{_day:yyyy-MM-dd} {_used}\n")));
}
