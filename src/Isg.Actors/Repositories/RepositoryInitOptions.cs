using Isg.Protocol.Keys;

namespace Isg.Actors.Repositories;

/// <summary>Choices made once, when a repository is created.</summary>
public sealed record RepositoryInitOptions(Argon2Parameters Kdf);
