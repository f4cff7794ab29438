using System.Collections;
using System.Diagnostics;
using Isg.Actors.Backends.Local;
using Isg.Actors.Catalog;
using Xunit.Abstractions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>
/// A fresh temp folder for one test: the repository at <c>Root/repo</c>, ISG_REPO and ISG_PASSPHRASE set for every
/// `isg` it runs (HOME points inside, no other ISG_ variable leaks in), commands run in <see cref="Root"/> and are
/// logged to the test output. Disposing kills what is still running, unmounts what it mounted, and deletes the folder.
/// </summary>
public sealed class IsgSandbox : IDisposable
{
    /// <summary>The default bound for one command.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    private readonly ITestOutputHelper? _output;
    private readonly List<IsgProcess> _started = [];
    private readonly List<string> _mounts = [];

    /// <summary>Creates the folder; <paramref name="output"/> receives a transcript of every command.</summary>
    public IsgSandbox(ITestOutputHelper? output = null)
    {
        _output = output;
        Root = Path.Combine(Path.GetTempPath(), "isg-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Repo = Path.Combine(Root, "repo");
        foreach (DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (!name.StartsWith("ISG_", StringComparison.Ordinal))
            {
                Environment[name] = (string?)variable.Value;
            }
        }

        Environment["HOME"] = Root;
        Environment["ISG_REPO"] = Repo;
        Environment["ISG_PASSPHRASE"] = Passphrase;

        // A node listens for peers on loopback at a free port and keeps mDNS off: tests run side by side, and nothing
        // may leave the machine.
        Environment["ISG_PEER_LISTEN"] = "127.0.0.1:0";
        Environment["ISG_NO_MDNS"] = "1";
    }

    /// <summary>The passphrase the sandbox's repository uses.</summary>
    public string Passphrase { get; } = "correct horse battery staple " + Guid.NewGuid().ToString("N")[..6];

    /// <summary>The temp folder (working directory of every command).</summary>
    public string Root { get; }

    /// <summary>The repository folder (ISG_REPO).</summary>
    public string Repo { get; set; }

    /// <summary>The environment of every command; change it to test other settings (null removes a variable).</summary>
    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The names of the objects in the repository's block store (ordinal order; empty when it has none yet), whether
    /// inline in its index, in its packs or in files of the one-file-per-object layout.
    /// </summary>
    /// <remarks>
    /// This and the other object helpers below open the store (<c>Repo/blocks</c>) for the one call and dispose it,
    /// so no temp entry of theirs outlives the call; a node or command may have the store open meanwhile.
    /// </remarks>
    public IReadOnlyList<string> StoredObjects
    {
        get
        {
            using var store = TryOpenBlockStore();
            return store is null ? [] : ListAsync(store).GetAwaiter().GetResult().Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>
    /// The objects the catalogue records as data shards of a stripe (ordinal order), as its reader lists chunk rows:
    /// their sizes alone do not tell them from parity shards, which take the size of their stripe's largest block.
    /// </summary>
    public IReadOnlyList<string> DataShardObjects
    {
        get
        {
            using var catalog = CatalogDatabase.Open(Repo);
            using var reader = catalog.CreateReader();
            return reader.ListChunks(after: null, int.MaxValue)
                .Where(chunk => !chunk.IsParity && chunk.StripeId is not null)
                .Select(chunk => chunk.Address.ObjectName)
                .Order(StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>Whether the block store holds <paramref name="name"/>.</summary>
    public bool HoldsObject(string name)
    {
        using var store = TryOpenBlockStore();
        return store?.Locate(name) is not null;
    }

    /// <summary>The stored length of <paramref name="name"/> (which the store must hold).</summary>
    public long ObjectLength(string name) => LocateObject(name).Length;

    /// <summary>The total stored length of the objects <paramref name="names"/> (which the store must hold).</summary>
    public long TotalLength(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        using var store = OpenBlockStore();
        return names.Sum(name => (long)Locate(store, name).Length);
    }

    /// <summary>Where the block store keeps the bytes of <paramref name="name"/> (which it must hold).</summary>
    internal StoredObjectLocation LocateObject(string name)
    {
        using var store = OpenBlockStore();
        return Locate(store, name);
    }

    /// <summary>The stored bytes of <paramref name="name"/> (which the store must hold), as a get returns them.</summary>
    public byte[] ObjectBytes(string name)
    {
        using var store = OpenBlockStore();
        _ = Locate(store, name);
        using var bytes = store.GetAsync(name, CancellationToken.None).GetAwaiter().GetResult();
        return bytes.Memory.ToArray();
    }

    /// <summary>Deletes <paramref name="name"/> (which the store must hold), as a careless user or a lost disk would.</summary>
    public void DeleteObject(string name)
    {
        using var store = OpenBlockStore();
        _ = Locate(store, name);
        store.DeleteAsync(name, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Replaces the stored bytes of <paramref name="name"/> (which the store must hold) with what
    /// <paramref name="damage"/> makes of them (same length, or shorter for a truncated object), behind the store's
    /// back, as damage on disk would.
    /// </summary>
    public void DamageObject(string name, Func<byte[], byte[]> damage)
    {
        using var store = OpenBlockStore();
        if (!store.Tamper(name, damage))
        {
            throw new InvalidOperationException($"{name} is not stored");
        }
    }

    // The repository's block store, opened for one call; null when the repository has none yet.
    private LocalBlockStore? TryOpenBlockStore()
    {
        var root = Path.Combine(Repo, "blocks");
        return Directory.Exists(root) ? new LocalBlockStore(new LocalBlockStoreOptions(root)) : null;
    }

    private LocalBlockStore OpenBlockStore() =>
        TryOpenBlockStore() ?? throw new InvalidOperationException($"{Repo} has no block store");

    private static StoredObjectLocation Locate(LocalBlockStore store, string name) =>
        store.Locate(name) ?? throw new InvalidOperationException($"{name} is not stored");

    private static async Task<List<string>> ListAsync(LocalBlockStore store)
    {
        var names = new List<string>();
        await foreach (var name in store.ListAsync(CancellationToken.None))
        {
            names.Add(name);
        }

        return names;
    }

    /// <summary>Full path of <paramref name="relative"/> inside the sandbox.</summary>
    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Runs `isg ARGS` in <see cref="Root"/> with the default timeout.</summary>
    public Task<IsgResult> RunAsync(params string[] args) => RunInAsync(Root, DefaultTimeout, args);

    /// <summary>Runs `isg ARGS` in <paramref name="workingDirectory"/>; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<IsgResult> RunInAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var result = await IsgProcess.RunAsync(Environment, workingDirectory, timeout, args);
        Log(result);
        return result;
    }

    /// <summary>`isg init --kdf-memory 8` (cheap Argon2), which must succeed.</summary>
    public async Task InitAsync() => (await RunAsync("init", "--kdf-memory", "8")).AssertExit(0);

    /// <summary>
    /// <see cref="InitAsync"/>, then redundancy 0: for tests that count, damage or free the objects of blocks
    /// stored once (parity shards and rm's keeping of striped blocks are tested in BackendCommandTests).
    /// </summary>
    public async Task InitWithoutParityAsync()
    {
        await InitAsync();
        (await RunAsync("config", "set", "redundancy", "0")).AssertExit(0);
    }

    /// <summary>Starts `isg ARGS` in <see cref="Root"/> without waiting; the sandbox kills it on dispose if still running.</summary>
    public IsgProcess Start(params string[] args)
    {
        var process = IsgProcess.Start(Environment, Root, args);
        _started.Add(process);
        return process;
    }

    /// <summary>Writes a line to the test output.</summary>
    public void Log(string text) => _output?.WriteLine(text);

    /// <summary>When false, each command is logged as one line (arguments, exit code, time) instead of its transcript.</summary>
    public bool LogTranscripts { get; set; } = true;

    /// <summary>Writes a command's transcript to the test output (abridged when long).</summary>
    public void Log(IsgResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (_output is null)
        {
            return;
        }

        if (!LogTranscripts)
        {
            _output.WriteLine($"$ isg {string.Join(' ', result.Args)} -> {result.ExitCode} in {result.Elapsed.TotalSeconds:0.00} s");
            return;
        }

        var text = result.Describe();
        _output.WriteLine(text.Length > 3000 ? text[..1500] + "\n…\n" + text[^1500..] : text);
    }

    /// <summary>
    /// Mounts a tmpfs of <paramref name="megabytes"/> MiB at <paramref name="directory"/> (unmounted on dispose);
    /// returns false (with the reason) when mounting is not possible here.
    /// </summary>
    public bool TryMountTmpfs(string directory, int megabytes, out string reason)
    {
        Directory.CreateDirectory(directory);
        var (code, text) = Exec("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", directory);
        reason = text;
        if (code == 0)
        {
            _mounts.Add(directory);
            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            foreach (var process in _started)
            {
                process.Dispose();
            }
        }
        finally
        {
            // Unmount and delete even when a process could not be stopped cleanly.
            foreach (var mount in _mounts)
            {
                var (code, text) = Exec("umount", mount);
                if (code != 0)
                {
                    _output?.WriteLine($"umount {mount} failed: {text}");
                }
            }

            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException e)
            {
                _output?.WriteLine($"could not delete {Root}: {e.Message}");
            }
        }
    }

    /// <summary>Runs a system program and returns its exit code and combined output.</summary>
    public static (int Code, string Output) Exec(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(info)!;
            // mount and umount print a line at most: reading one stream after the other cannot fill a pipe.
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout + stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program}: {e.Message}");
        }
    }
}
