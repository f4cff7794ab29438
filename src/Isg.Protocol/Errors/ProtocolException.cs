namespace Isg.Protocol.Errors;

/// <summary>Thrown only at a boundary that must abort on bad input; carries the typed <see cref="ProtocolError"/>.</summary>
public sealed class ProtocolException : Exception
{
    /// <summary>Wraps <paramref name="error"/>.</summary>
    public ProtocolException(ProtocolError error)
        : base(error.ToString()) => Error = error;

    /// <summary>Wraps <paramref name="error"/> with the exception that caused it.</summary>
    public ProtocolException(ProtocolError error, Exception innerException)
        : base(error.ToString(), innerException) => Error = error;

    /// <summary>The typed reason.</summary>
    public ProtocolError Error { get; }
}
