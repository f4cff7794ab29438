namespace Isg.Actors.Transfers;

/// <summary>
/// A job's final reply: its report, and the failure that stopped it early (cancellation, a full disk, a
/// catalogue error), if any. Everything counted in the report as done is durable either way.
/// </summary>
public sealed record TransferOutcome<TReport>(TReport Report, Exception? Failure);
