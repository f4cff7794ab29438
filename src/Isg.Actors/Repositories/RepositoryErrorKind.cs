namespace Isg.Actors.Repositories;

/// <summary>Why a repository could not be created, opened or changed.</summary>
public enum RepositoryErrorKind
{
    /// <summary>No repository at the path.</summary>
    NotFound,
    /// <summary>A repository (or other data) is already there.</summary>
    AlreadyExists,
    /// <summary>No key file unwrapped with the passphrase.</summary>
    WrongPassphrase,
    /// <summary>The marker, key files or catalogue are unreadable.</summary>
    Damaged,
    /// <summary>A setting name or value was rejected.</summary>
    BadSetting,
    /// <summary>Another process holds a conflicting repository lock (an rm during an add, or the reverse).</summary>
    Busy,
}
