using System.Collections.Concurrent;
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

    /// <summary>Number of distinct blocks claimed so far.</summary>
    public int Count => _claims.Count;
}
