using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Isg.Benchmarks;

/// <summary>A summary column giving GB/s (10^9 bytes per second) of payload: data shards × shard length per operation.</summary>
public sealed class ErasureThroughputColumn : IColumn
{
    public string Id => nameof(ErasureThroughputColumn);

    public string ColumnName => "Payload GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Data bytes (k × shard length) per second, in 10^9";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNanoseconds is null or <= 0)
        {
            return "NA";
        }

        var shape = (string)benchmarkCase.Parameters["Shape"];
        var dataShards = int.Parse(shape.AsSpan(0, shape.IndexOf('+', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        var shardLength = (int)benchmarkCase.Parameters["ShardLength"];
        var gigabytesPerSecond = (double)dataShards * shardLength / meanNanoseconds.Value;
        return gigabytesPerSecond.ToString("N2", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
