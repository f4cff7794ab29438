namespace Isg.Actors.Backends;

/// <summary>A backend (or a part of one) that keeps account of its platform's quota, persistently.</summary>
public interface IQuotaReporter
{
    /// <summary>Where the quota stands now, from the backend's own ledger (no request); null when it has no quota.</summary>
    BackendQuotaState? QuotaState();
}
