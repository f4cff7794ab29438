using Isg.Protocol.Peers;

namespace Isg.Protocol.Crdt;

/// <summary>
/// Names one catalogue operation: the <paramref name="Device"/> that made it and its place in that device's log
/// (1, 2, 3, … without gaps). Two operations with the same id are the same operation.
/// </summary>
public readonly record struct OperationId(DeviceId Device, ulong Sequence) : IComparable<OperationId>
{
    /// <summary>Orders by device, then sequence: a total order used only to make choices deterministic.</summary>
    public int CompareTo(OperationId other)
    {
        var byDevice = Device.CompareTo(other.Device);
        return byDevice != 0 ? byDevice : Sequence.CompareTo(other.Sequence);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Device.ShortId}#{Sequence}";
}
