namespace Isg.Actors.Transfers;

/// <summary>What a <see cref="TransferProgress"/> report announces.</summary>
public enum TransferEvent
{
    /// <summary>The sources were walked; totals are known.</summary>
    Scanned,
    /// <summary>More bytes were processed.</summary>
    Bytes,
    /// <summary>A file is durably done (committed on add, renamed into place on get): acknowledged.</summary>
    FileDone,
    /// <summary>A file matched the catalogue (size and mtime) and was not read again.</summary>
    FileUnchanged,
    /// <summary>A file failed; the others go on. <see cref="TransferProgress.Detail"/> says why.</summary>
    FileFailed,
    /// <summary>The whole transfer finished.</summary>
    Completed,
    /// <summary>
    /// Files acknowledged while the reader of the reports fell behind, counted in <see cref="TransferProgress.Omitted"/>
    /// instead of listed; the totals are the latest (a stream to a slow client keeps what waits bounded).
    /// </summary>
    Omitted,
}
