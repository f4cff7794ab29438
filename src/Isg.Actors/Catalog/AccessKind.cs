namespace Isg.Actors.Catalog;

/// <summary>Why a block or file was touched, as recorded in the access log. Stored as its integer value.</summary>
public enum AccessKind
{
    /// <summary>Read for a client (get, mount, peer request).</summary>
    Read = 0,

    /// <summary>Written or re-uploaded.</summary>
    Write = 1,

    /// <summary>Checked by the scrubber.</summary>
    Verify = 2,
}
