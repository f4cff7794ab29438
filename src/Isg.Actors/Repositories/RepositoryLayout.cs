namespace Isg.Actors.Repositories;

/// <summary>Where a repository keeps its parts, below one root folder.</summary>
public sealed class RepositoryLayout(string root)
{
    /// <summary>The repository folder (absolute).</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Written last by init: its presence means the repository is complete.</summary>
    public string MarkerFile => Path.Combine(Root, "isg-repository.json");

    /// <summary>Passphrase-wrapped repository keys, one file per passphrase.</summary>
    public string KeysDirectory => Path.Combine(Root, "keys");

    /// <summary>The SQLite catalogue.</summary>
    public string CatalogFile => Path.Combine(Root, "catalog.db");

    /// <summary>The local block store.</summary>
    public string BlocksDirectory => Path.Combine(Root, "blocks");

    /// <summary>The lock file that keeps adds and removals of different processes apart.</summary>
    public string LockFile => Path.Combine(Root, "lock");

    /// <summary>The node's identity: its certificate and private key (owner-only), whose hash is the device id.</summary>
    public string IdentityDirectory => Path.Combine(Root, "identity");

    /// <summary>The node's HTTP API token (owner-only).</summary>
    public string ApiTokenFile => Path.Combine(Root, "api-token");
}
