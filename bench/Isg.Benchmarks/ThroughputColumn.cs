using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Isg.Benchmarks;

/// <summary>
/// A summary column giving throughput: bytes processed per operation (fixed, or derived from the case's
/// parameters) over the mean time, in MB/s (10^6) or GB/s (10^9).
/// </summary>
public sealed class ThroughputColumn(Func<BenchmarkCase, long> bytesPerOperation, string columnName, double unit, string legend) : IColumn
{
    /// <summary>MB/s for benchmarks that each process <paramref name="bytesPerOperation"/> bytes.</summary>
    public ThroughputColumn(long bytesPerOperation)
        : this(_ => bytesPerOperation, "MB/s", 1e6, $"Throughput in 10^6 bytes per second ({bytesPerOperation} bytes per operation)")
    {
    }

    public string Id => nameof(ThroughputColumn) + columnName;

    public string ColumnName => columnName;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNanoseconds is null or <= 0)
        {
            return "NA";
        }

        var perSecond = bytesPerOperation(benchmarkCase) / (meanNanoseconds.Value / 1e9) / unit;
        return perSecond.ToString(unit >= 1e9 ? "N2" : "N0", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
