using Isg.Actors.Runtime;

namespace Isg.Actors.Backends.Queue;

/// <summary>What <see cref="UploaderActor"/> handles.</summary>
public interface IUploaderCommand
{
}

/// <summary>Run an upload pass now (new objects were queued, or a retry is due). Safe to resend; no reply.</summary>
public sealed record DrainQueue : IUploaderCommand
{
    /// <summary>The one instance (the message carries nothing).</summary>
    public static DrainQueue Instance { get; } = new();
}

/// <summary>Replies the outcome of the last pass (null before the first). Safe to resend.</summary>
public sealed record GetLastPass(IReplyTo<UploadPass?> ReplyTo) : IUploaderCommand;
