namespace Isg.Actors.Runtime;

/// <summary>The root of a system: parent of the top-level actors, supervising them with the guardian strategy.</summary>
internal sealed class GuardianCell(ActorSystem system, SupervisorStrategy strategy) : Cell(system, null, string.Empty, null)
{
    /// <inheritdoc />
    protected override bool HasUserMessages => false;

    /// <inheritdoc />
    protected override SupervisorStrategy ChildStrategy => strategy;

    /// <inheritdoc />
    protected override ValueTask<bool> TryProcessUserMessageAsync() => ValueTask.FromResult(false);

    /// <inheritdoc />
    protected override ValueTask CreateInstanceAsync(Exception? restartReason, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    protected override ValueTask StopInstanceAsync() => ValueTask.CompletedTask;
}
