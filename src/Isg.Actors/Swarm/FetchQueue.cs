namespace Isg.Actors.Swarm;

/// <summary>
/// The swarm's fetches that wait to start, in two lanes: those someone waits for (a <c>get</c> that needs the block),
/// then the background ones, each lane first come first served. Adding, moving to the urgent lane and removing take
/// constant time, so the scheduler looks only at what waits (not at the fetches already running or committing), and
/// a long queue of small blocks costs nothing per block that ends. Not thread-safe (the swarm actor owns it).
/// </summary>
internal sealed class FetchQueue<T>
    where T : class
{
    private readonly LinkedList<T> _urgent = new();
    private readonly LinkedList<T> _background = new();
    private readonly Dictionary<T, LinkedListNode<T>> _nodes = new(ReferenceEqualityComparer.Instance);

    /// <summary>How many items wait.</summary>
    public int Count => _nodes.Count;

    /// <summary>Whether <paramref name="item"/> waits here.</summary>
    public bool Contains(T item) => _nodes.ContainsKey(item);

    /// <summary>
    /// Queues <paramref name="item"/> at the end of its lane. An item already queued stays where it is, unless it
    /// becomes urgent: then it moves to the end of the urgent lane. An urgent item never moves back.
    /// </summary>
    public void Enqueue(T item, bool urgent)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_nodes.TryGetValue(item, out var node))
        {
            if (urgent && node.List == _background)
            {
                _background.Remove(node);
                _urgent.AddLast(node);
            }

            return;
        }

        _nodes[item] = (urgent ? _urgent : _background).AddLast(item);
    }

    /// <summary>Takes <paramref name="item"/> out of the queue; false when it was not queued.</summary>
    public bool Remove(T item)
    {
        if (!_nodes.Remove(item, out var node))
        {
            return false;
        }

        node.List!.Remove(node);
        return true;
    }

    /// <summary>Empties the queue.</summary>
    public void Clear()
    {
        _urgent.Clear();
        _background.Clear();
        _nodes.Clear();
    }

    /// <summary>
    /// The queued items, urgent lane first. While the walk runs, the caller may remove the item just returned, and
    /// nothing else (the walk has already stepped past it; any other change invalidates where it goes next).
    /// </summary>
    public IEnumerable<T> InOrder()
    {
        foreach (var lane in (LinkedList<T>[])[_urgent, _background])
        {
            var node = lane.First;
            while (node is not null)
            {
                var next = node.Next;
                yield return node.Value;
                node = next;
            }
        }
    }
}
