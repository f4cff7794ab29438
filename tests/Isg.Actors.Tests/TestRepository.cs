using System.Text;
using Isg.Actors.Repositories;
using Isg.Protocol.Keys;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isg.Actors.Tests;

/// <summary>Repositories for tests: cheap Argon2 parameters, and small chunks so that small files span many blocks.</summary>
internal static class TestRepository
{
    public const int MinChunk = 1024;
    public const int AverageChunk = 4096;
    public const int MaxChunk = 16384;

    public static byte[] Passphrase { get; } = Encoding.UTF8.GetBytes("correct horse battery staple");

    public static RepositoryInitOptions InitOptions { get; } = new(Argon2Parameters.ForTests);

    /// <summary>A new repository in <c>dir/name</c> with small chunk sizes (unless <paramref name="smallChunks"/> is false).</summary>
    public static Repository Create(TempDirectory dir, string name = "repo", bool smallChunks = true)
    {
        var repository = Repository.Initialize(dir.Combine(name), Passphrase, InitOptions, NullLoggerFactory.Instance);
        if (smallChunks)
        {
            UseSmallChunks(repository.Settings);
        }

        return repository;
    }

    public static void UseSmallChunks(RepositorySettings settings)
    {
        // Smallest first: each Set validates the whole set of options against the values already stored.
        settings.Set(RepositorySettings.ChunkMinKey, MinChunk.ToString(System.Globalization.CultureInfo.InvariantCulture));
        settings.Set(RepositorySettings.ChunkAverageKey, AverageChunk.ToString(System.Globalization.CultureInfo.InvariantCulture));
        settings.Set(RepositorySettings.ChunkMaxKey, MaxChunk.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
