namespace Isg.Actors.Repositories;

/// <summary>A typed repository failure; the message names the repository path, never a secret.</summary>
public sealed class RepositoryException : Exception
{
    /// <summary>Creates the failure.</summary>
    public RepositoryException(RepositoryErrorKind kind, string message)
        : base(message) => Kind = kind;

    /// <summary>Creates the failure with its cause.</summary>
    public RepositoryException(RepositoryErrorKind kind, string message, Exception innerException)
        : base(message, innerException) => Kind = kind;

    /// <summary>What went wrong.</summary>
    public RepositoryErrorKind Kind { get; }
}
