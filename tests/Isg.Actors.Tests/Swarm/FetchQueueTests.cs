using Isg.Actors.Swarm;

namespace Isg.Actors.Tests.Swarm;

/// <summary>The swarm's queue of fetches waiting to start: two lanes, first come first served in each.</summary>
public sealed class FetchQueueTests
{
    private sealed record Item(string Name);

    private static readonly Item A = new("a"), B = new("b"), C = new("c"), D = new("d");

    private static string Order(FetchQueue<Item> queue) => string.Concat(queue.InOrder().Select(i => i.Name));

    // A queue holding the items enqueued in this order, each in its lane.
    private static FetchQueue<Item> Queued(params (Item Item, bool Urgent)[] items)
    {
        var queue = new FetchQueue<Item>();
        foreach (var (item, urgent) in items)
        {
            queue.Enqueue(item, urgent);
        }

        return queue;
    }

    [Fact]
    public void InOrder_UrgentLaneFirst_EachInArrivalOrder()
    {
        var queue = Queued((A, false), (B, true), (C, false), (D, true));

        Assert.Equal("bdac", Order(queue));
        Assert.Equal(4, queue.Count);
    }

    [Fact]
    public void Enqueue_AlreadyQueued_StaysInPlaceUnlessItBecomesUrgent()
    {
        var queue = Queued((A, false), (B, false), (C, true));

        queue.Enqueue(A, urgent: false);
        Assert.Equal("cab", Order(queue));

        queue.Enqueue(B, urgent: true);
        Assert.Equal("cba", Order(queue));

        queue.Enqueue(C, urgent: false); // urgent never moves back
        Assert.Equal("cba", Order(queue));
        Assert.Equal(3, queue.Count);
    }

    [Fact]
    public void Remove_QueuedOrNot_TellsWhichAndLeavesTheRest()
    {
        var queue = Queued((A, false), (B, true));

        Assert.True(queue.Remove(A));
        Assert.False(queue.Remove(A));
        Assert.False(queue.Remove(C));
        Assert.False(queue.Contains(A));
        Assert.True(queue.Contains(B));
        Assert.Equal("b", Order(queue));
    }

    [Fact]
    public void InOrder_RemovingEachItemAsItIsReturned_VisitsEveryItemOnce()
    {
        var queue = Queued((A, false), (B, true), (C, false), (D, true));

        var seen = new List<string>();
        foreach (var item in queue.InOrder())
        {
            seen.Add(item.Name);
            if (item != C)
            {
                queue.Remove(item);
            }
        }

        Assert.Equal(["b", "d", "a", "c"], seen);
        Assert.Equal("c", Order(queue));
    }

    [Fact]
    public void Clear_EmptiesBothLanes()
    {
        var queue = Queued((A, false), (B, true));

        queue.Clear();

        Assert.Equal(0, queue.Count);
        Assert.Empty(queue.InOrder());
        queue.Enqueue(A, urgent: false);
        Assert.Equal("a", Order(queue));
    }
}
