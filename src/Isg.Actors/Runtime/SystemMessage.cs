namespace Isg.Actors.Runtime;

/// <summary>Messages of the system queue, served before any user message and never dropped.</summary>
internal abstract record SystemMessage
{
    private SystemMessage()
    {
    }

    /// <summary>Create and start the first instance.</summary>
    public sealed record Create : SystemMessage
    {
        public static Create Instance { get; } = new();
    }

    /// <summary>Stop: children first, then PostStop, then tell watchers and the parent.</summary>
    public sealed record Stop : SystemMessage
    {
        public static Stop Instance { get; } = new();
    }

    /// <summary>From the supervisor: continue with the same instance.</summary>
    public sealed record Resume : SystemMessage
    {
        public static Resume Instance { get; } = new();
    }

    /// <summary>From the supervisor: recreate the instance after <paramref name="Delay"/>.</summary>
    public sealed record Restart(Exception Cause, TimeSpan Delay) : SystemMessage;

    /// <summary>The restart backoff of generation <paramref name="Generation"/> has elapsed.</summary>
    public sealed record RestartDue(int Generation) : SystemMessage;

    /// <summary>To the supervisor: <paramref name="Child"/> threw <paramref name="Cause"/> (first thrown in <paramref name="OriginPath"/>).</summary>
    public sealed record Failed(Cell Child, Exception Cause, string OriginPath, bool DuringStart) : SystemMessage;

    /// <summary>To a watcher: a watched actor has stopped.</summary>
    public sealed record WatchedTerminated(Terminated Signal) : SystemMessage;

    /// <summary>To the parent: <paramref name="Child"/> has stopped (it is already removed from the children).</summary>
    public sealed record ChildTerminated(Cell Child) : SystemMessage;
}
