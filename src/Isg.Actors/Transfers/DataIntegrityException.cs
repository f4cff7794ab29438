namespace Isg.Actors.Transfers;

/// <summary>Stored data failed verification (a block missing, corrupt or not matching its manifest).</summary>
public sealed class DataIntegrityException : Exception
{
    /// <summary>Creates the failure; the message names the file and block.</summary>
    public DataIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the failure with its cause.</summary>
    public DataIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
