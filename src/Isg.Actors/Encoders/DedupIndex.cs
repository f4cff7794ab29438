using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Isg.Actors.Catalog;
using Isg.Protocol.Hashing;

namespace Isg.Actors.Encoders;

/// <summary>
/// Blocks written (or being written) during one add, so that identical chunks met by different workers are
/// stored once: the first worker claims the id and writes; the others wait for that write and reuse it.
/// Thread-safe.
/// </summary>
public sealed class DedupIndex
{
    private readonly ConcurrentDictionary<BlockId, TaskCompletionSource<bool>> _claims = new();

    // Blocks written in this session whose location nobody has taken yet (see TryTakeWritten).
    private readonly ConcurrentDictionary<BlockId, StoredBlock> _written = new();

    /// <summary>
    /// Claims <paramref name="id"/>. True: the caller writes the block and must call <see cref="Complete"/>.
    /// False: another worker has or had it; <paramref name="written"/> completes with whether that write succeeded.
    /// </summary>
    public bool TryClaim(BlockId id, out Task<bool> written)
    {
        var mine = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var winner = _claims.GetOrAdd(id, mine);
        written = winner.Task;
        return ReferenceEquals(winner, mine);
    }

    /// <summary>Reports the outcome of a claimed write. A failed write releases the claim so a later chunk may retry it.</summary>
    public void Complete(BlockId id, bool succeeded)
    {
        if (!_claims.TryGetValue(id, out var claim))
        {
            throw new InvalidOperationException($"block {id} was completed without being claimed");
        }

        if (!succeeded)
        {
            _claims.TryRemove(id, out _);
        }

        claim.TrySetResult(succeeded);
    }

    /// <summary>
    /// Reports that a claimed block was written to <paramref name="stored"/>, and keeps that location until
    /// <see cref="TryTakeWritten"/> takes it. Waiters then see success.
    /// </summary>
    public void Complete(BlockId id, StoredBlock stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        _written[id] = stored;
        Complete(id, succeeded: true);
    }

    /// <summary>
    /// Takes the location of a block written in this session, once: the first caller gets it, later ones get false.
    /// A worker that reused the block may be answered before the worker that wrote it, so whoever records the blocks
    /// to commit takes it from here on either answer, and the block is committed no later than the first file using it.
    /// </summary>
    public bool TryTakeWritten(BlockId id, [NotNullWhen(true)] out StoredBlock? stored) => _written.TryRemove(id, out stored);

    /// <summary>Number of distinct blocks claimed so far.</summary>
    public int Count => _claims.Count;
}
