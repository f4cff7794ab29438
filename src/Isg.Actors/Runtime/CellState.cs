namespace Isg.Actors.Runtime;

/// <summary>Lifecycle of a cell. Written only by the cell's own loop; read anywhere.</summary>
internal enum CellState
{
    /// <summary>Created; the instance is not started yet. User messages wait.</summary>
    Starting,

    /// <summary>Handling user messages.</summary>
    Running,

    /// <summary>Failed; waiting for the supervisor's directive. User messages wait.</summary>
    Suspended,

    /// <summary>Restarting: children stopping, old instance stopped, or waiting for the backoff. User messages wait.</summary>
    Restarting,

    /// <summary>Stopping: children first, then PostStop. The mailbox is closed.</summary>
    Stopping,

    /// <summary>Stopped for good; watchers have been told.</summary>
    Terminated,
}
