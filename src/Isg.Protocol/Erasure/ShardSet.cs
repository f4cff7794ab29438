namespace Isg.Protocol.Erasure;

/// <summary>
/// The buffers of one engine call in the engine's order, the k sources first and then the outputs: the data and parity
/// shards of an encode, or a decode plan's sources and missing shards picked out of a stripe.
/// </summary>
internal readonly ref struct ShardSet
{
    private readonly ReadOnlySpan<ReadOnlyMemory<byte>> _data;
    private readonly ReadOnlySpan<Memory<byte>> _shards;
    private readonly DecodePlan? _plan;
    private readonly int _dataCount;

    /// <summary>An encode: <paramref name="data"/> (k sources) then <paramref name="parity"/>.</summary>
    public ShardSet(ReadOnlySpan<ReadOnlyMemory<byte>> data, ReadOnlySpan<Memory<byte>> parity, int dataCount)
    {
        _data = data;
        _shards = parity;
        _dataCount = dataCount;
    }

    /// <summary>A reconstruction: <paramref name="plan"/>'s sources then its missing shards, out of <paramref name="stripe"/>.</summary>
    public ShardSet(ReadOnlySpan<Memory<byte>> stripe, DecodePlan plan)
    {
        _shards = stripe;
        _plan = plan;
        _dataCount = plan.Sources.Length;
    }

    /// <summary>Buffer <paramref name="index"/> in engine order.</summary>
    public ReadOnlySpan<byte> this[int index] => _plan is null
        ? index < _dataCount ? _data[index].Span : _shards[index - _dataCount].Span
        : _shards[index < _dataCount ? _plan.Sources[index] : _plan.Missing[index - _dataCount]].Span;
}
