namespace Isg.Actors.Runtime;

/// <summary>What a supervisor does with a child that threw.</summary>
public enum SupervisorDirective
{
    /// <summary>Keep the instance and its state; the failing message is dropped.</summary>
    Resume,

    /// <summary>Recreate the instance from its factory after a backoff; children are stopped, queued messages kept.</summary>
    Restart,

    /// <summary>Stop the child; watchers see <see cref="Terminated.Cause"/> set to the exception.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the child's exception, for its own supervisor to decide.</summary>
    Escalate,
}
