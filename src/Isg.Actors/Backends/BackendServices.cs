using Isg.Actors.Backends.Secrets;
using Isg.Actors.Catalog;

namespace Isg.Actors.Backends;

/// <summary>
/// What <see cref="BackendFactory.Open(BackendRecord, string, Microsoft.Extensions.Logging.ILoggerFactory, BackendServices?)"/>
/// gives backends besides their record: the repository's catalogue (remote backends are queued in it), where to
/// persist rotated credentials, and the clock.
/// </summary>
public sealed record BackendServices(CatalogDatabase Catalog, IBackendSecretStore Secrets, TimeProvider Time);
