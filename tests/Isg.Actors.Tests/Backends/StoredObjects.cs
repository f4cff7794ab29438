using Isg.Actors.Backends;
using Isg.Actors.Backends.Local;

namespace Isg.Actors.Tests.Backends;

/// <summary>Damage to a local store's objects, done behind the store's back as a failing disk or a careless user would.</summary>
internal static class StoredObjects
{
    /// <summary>The local store <paramref name="backend"/> is (through no decorator).</summary>
    public static LocalBlockStore Local(IStorageBackend backend) =>
        backend as LocalBlockStore ?? throw new InvalidOperationException($"{backend.Name} is not a local store");

    /// <summary>Whether the store holds <paramref name="name"/>.</summary>
    public static bool Holds(this LocalBlockStore store, string name) => store.Locate(name) is not null;

    /// <summary>The stored length of <paramref name="name"/>.</summary>
    public static int StoredLength(this LocalBlockStore store, string name) =>
        store.Locate(name)?.Length ?? throw new InvalidOperationException(name + " is not stored");

    /// <summary>The stored bytes of <paramref name="name"/>.</summary>
    public static byte[] StoredBytes(this LocalBlockStore store, string name)
    {
        byte[]? bytes = null;
        store.Tamper(name, b => bytes = b);
        return bytes ?? throw new InvalidOperationException(name + " is not stored");
    }

    /// <summary>Removes <paramref name="name"/>, as if its bytes were lost.</summary>
    public static void Lose(this LocalBlockStore store, string name) => store.DeleteAsync(name, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Flips bits of the byte at <paramref name="at"/> (from the end when negative; the middle by default).</summary>
    public static void Flip(this LocalBlockStore store, string name, int? at = null, byte mask = 0x40) =>
        Damage(store, name, bytes =>
        {
            var index = at switch { null => bytes.Length / 2, < 0 => bytes.Length + at.Value, _ => at.Value };
            bytes[index] ^= mask;
            return bytes;
        });

    /// <summary>Keeps only the first <paramref name="keep"/> bytes.</summary>
    public static void Truncate(this LocalBlockStore store, string name, int keep) => Damage(store, name, bytes => bytes[..keep]);

    /// <summary>Replaces the stored bytes through <paramref name="damage"/> (same length or shorter).</summary>
    public static void Damage(this LocalBlockStore store, string name, Func<byte[], byte[]> damage)
    {
        if (!store.Tamper(name, damage))
        {
            throw new InvalidOperationException(name + " is not stored");
        }
    }
}
