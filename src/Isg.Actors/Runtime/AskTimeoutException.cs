namespace Isg.Actors.Runtime;

/// <summary>An ask got no reply in time. <see cref="TargetPath"/> names the actor that was asked.</summary>
public sealed class AskTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for <paramref name="targetPath"/> after <paramref name="timeout"/>.</summary>
    public AskTimeoutException(string targetPath, TimeSpan timeout)
        : base($"Ask of {targetPath} got no reply within {timeout}.")
    {
        TargetPath = targetPath;
        Timeout = timeout;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public AskTimeoutException()
        : this("(unknown)", System.Threading.Timeout.InfiniteTimeSpan)
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public AskTimeoutException(string message)
        : base(message)
    {
        TargetPath = "(unknown)";
        Timeout = System.Threading.Timeout.InfiniteTimeSpan;
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public AskTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
        TargetPath = "(unknown)";
        Timeout = System.Threading.Timeout.InfiniteTimeSpan;
    }

    /// <summary>Path of the actor that did not reply.</summary>
    public string TargetPath { get; }

    /// <summary>How long the ask waited.</summary>
    public TimeSpan Timeout { get; }
}
