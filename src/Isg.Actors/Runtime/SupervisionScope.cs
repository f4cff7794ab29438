namespace Isg.Actors.Runtime;

/// <summary>Which children a supervision decision applies to.</summary>
public enum SupervisionScope
{
    /// <summary>Only the child that failed.</summary>
    OneForOne,

    /// <summary>Every child of the supervisor (Restart and Stop; Resume and Escalate concern the failed child only).</summary>
    AllForOne,
}
