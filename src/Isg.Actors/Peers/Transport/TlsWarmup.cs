using System.Net.Security;
using System.Security.Cryptography;
using Isg.Actors.Peers.Identity;
using Isg.Actors.Repositories;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// Does, in the background and as a node process starts, the one-time TLS set-up its first peer connection would
/// otherwise wait for. The first certificate chain .NET builds in a process (for the node's own certificate context,
/// and for every peer's certificate, whatever the trust settings) loads the system's trust store: about 300
/// certificate files, 70-100 ms measured on these machines, against about 1 ms for each later one. A fresh device
/// dialled its peers with that still ahead of it; started early, it runs while the catalogue opens and the HTTP host
/// starts. Best effort: what fails here fails again, with its error, at the first handshake.
/// </summary>
public static class TlsWarmup
{
    /// <summary>Starts the set-up with the identity in <paramref name="identityDirectory"/>; nothing when there is none yet.</summary>
    public static Task Start(string identityDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(identityDirectory);
        return Task.Run(() =>
        {
            try
            {
                using var identity = NodeIdentity.TryLoad(identityDirectory);
                if (identity is not null)
                {
                    _ = SslStreamCertificateContext.Create(identity.Certificate, null, offline: true);
                }
            }
            catch (Exception e) when (e is RepositoryException or CryptographicException or IOException or UnauthorizedAccessException)
            {
                // The node's own load of the identity reports it.
            }
        });
    }
}
