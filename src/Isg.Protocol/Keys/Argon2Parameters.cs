namespace Isg.Protocol.Keys;

/// <summary>
/// Argon2id cost parameters for deriving the key that wraps a repository key from a passphrase. They are stored
/// in the key file, so <see cref="TryValidate"/> bounds them before a file's values are ever used.
/// </summary>
/// <param name="MemoryKiB">Memory in KiB (8 MiB..4 GiB).</param>
/// <param name="Iterations">Passes over memory (1..100).</param>
/// <param name="Parallelism">Lanes (1..16).</param>
public sealed record Argon2Parameters(int MemoryKiB, int Iterations, int Parallelism)
{
    /// <summary>Smallest memory accepted: 8 MiB.</summary>
    public const int MinMemoryKiB = 8 * 1024;

    /// <summary>Largest memory accepted: 4 GiB.</summary>
    public const int MaxMemoryKiB = 4 * 1024 * 1024;

    /// <summary>Most passes accepted.</summary>
    public const int MaxIterations = 100;

    /// <summary>Most lanes accepted.</summary>
    public const int MaxParallelism = 16;

    /// <summary>64 MiB, t=3, p=4: RFC 9106's second recommended option, for memory-constrained environments.</summary>
    public static Argon2Parameters Default { get; } = new(64 * 1024, 3, 4);

    /// <summary>The cheapest legal setting (8 MiB, t=1, p=1), for tests only: it protects a weak passphrase poorly.</summary>
    public static Argon2Parameters ForTests { get; } = new(MinMemoryKiB, 1, 1);

    /// <summary>True when every parameter is within bounds; otherwise false with a one-line reason.</summary>
    public bool TryValidate(out string problem)
    {
        problem = MemoryKiB is < MinMemoryKiB or > MaxMemoryKiB
            ? $"Argon2 memory must be {MinMemoryKiB}..{MaxMemoryKiB} KiB, got {MemoryKiB}"
            : Iterations is < 1 or > MaxIterations
                ? $"Argon2 iterations must be 1..{MaxIterations}, got {Iterations}"
                : Parallelism is < 1 or > MaxParallelism
                    ? $"Argon2 parallelism must be 1..{MaxParallelism}, got {Parallelism}"
                    : string.Empty;
        return problem.Length == 0;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a parameter is out of bounds.</summary>
    public void Validate()
    {
        if (!TryValidate(out var problem))
        {
            throw new ArgumentOutOfRangeException(nameof(Argon2Parameters), this, problem);
        }
    }
}
