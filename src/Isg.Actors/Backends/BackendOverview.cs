using Isg.Actors.Backends.Resilience;
using Isg.Actors.Catalog;

namespace Isg.Actors.Backends;

/// <summary>
/// One backend as <c>isg backend list</c> shows it: its record, what the catalogue holds on it
/// (<paramref name="Usage"/>), its <paramref name="Health"/> ("ok", "failing", "open", "unused"; a folder on this
/// machine: "ok" or "missing"), what processes that used it persisted (<paramref name="Status"/>, null for local
/// folders and before any use) and where its quota stands (<paramref name="Quota"/>, null without one).
/// </summary>
public sealed record BackendOverview(BackendRecord Backend, BackendUsage Usage, string Health, BackendStatus? Status, BackendQuotaState? Quota);
