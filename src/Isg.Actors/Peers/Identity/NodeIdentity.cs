using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Isg.Actors.Repositories;
using Isg.Actors.Storage;
using Isg.Protocol.Peers;

namespace Isg.Actors.Peers.Identity;

/// <summary>
/// A node's identity: a self-signed ECDSA P-256 certificate and its private key, presented on both ends of every
/// peer connection (mutual TLS). The device id is the SHA-256 of the certificate's DER, so it changes only when the
/// identity is replaced. Stored as one PEM file (certificate, then PKCS#8 key) readable by the owner only, created
/// atomically, once. Thread-safe; dispose when no connection uses <see cref="Certificate"/> any more.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    /// <summary>The identity file's name inside its directory.</summary>
    public const string FileName = "node.pem";

    private static readonly Oid s_serverAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid s_clientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private NodeIdentity(X509Certificate2 certificate, string deviceName)
    {
        Certificate = certificate;
        DeviceId = DeviceId.FromCertificateDer(certificate.RawData);
        DeviceName = deviceName;
    }

    /// <summary>The certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 of the certificate's DER.</summary>
    public DeviceId DeviceId { get; }

    /// <summary>The name this node gives itself in its Hello (the host name by default); informational only.</summary>
    public string DeviceName { get; }

    /// <summary>A new identity in memory only (tests, tools).</summary>
    public static NodeIdentity Create(string? deviceName = null)
    {
        var pem = Generate();
        return FromPem(pem, deviceName, "(memory)");
    }

    /// <summary>
    /// The identity stored in <paramref name="directory"/>, created there (the directory owner-only, the file 0600) when
    /// absent. Two processes creating it at once end up with the same identity: the file is created with link(2), never
    /// replaced. Throws <see cref="RepositoryException"/> (Damaged) when the file exists but does not hold a certificate
    /// and its matching key: a broken identity is never silently replaced, since that would change the device id.
    /// </summary>
    public static NodeIdentity LoadOrCreate(string directory, string? deviceName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var pem = Generate();
            try
            {
                AtomicFile.TryCreateNew(path, pem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pem);
            }
        }

        return Load(path, deviceName);
    }

    /// <summary>
    /// The identity in <paramref name="directory"/>; null when none was created yet. Throws as <see cref="LoadOrCreate"/>
    /// for a damaged file.
    /// </summary>
    public static NodeIdentity? TryLoad(string directory, string? deviceName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var path = Path.Combine(directory, FileName);
        return File.Exists(path) ? Load(path, deviceName) : null;
    }

    /// <inheritdoc />
    public void Dispose() => Certificate.Dispose();

    /// <summary>The device id; never any key material.</summary>
    public override string ToString() => $"NodeIdentity {DeviceId}";

    private static NodeIdentity Load(string path, string? deviceName)
    {
        var pem = File.ReadAllBytes(path);
        try
        {
            return FromPem(pem, deviceName, path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pem);
        }
    }

    private static NodeIdentity FromPem(byte[] pem, string? deviceName, string source)
    {
        var text = Encoding.ASCII.GetString(pem);
        try
        {
            var certificate = X509Certificate2.CreateFromPem(text, text);
            if (certificate.GetECDsaPublicKey() is not { } publicKey)
            {
                certificate.Dispose();
                throw new RepositoryException(RepositoryErrorKind.Damaged, $"the node identity {source} is not an ECDSA certificate");
            }

            publicKey.Dispose();
            return new NodeIdentity(certificate, string.IsNullOrWhiteSpace(deviceName) ? DefaultDeviceName() : deviceName.Trim());
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new RepositoryException(RepositoryErrorKind.Damaged,
                $"the node identity {source} is damaged ({e.Message}); move it away to create a new one (the device id changes, so peers must pair again)", e);
        }
    }

    // The certificate only has to carry the key: peers pin its hash, so names, chain and dates are never checked.
    // It still states what it is used for, since TLS stacks may look at key usage.
    private static byte[] Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=isg"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([s_serverAuthentication, s_clientAuthentication], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
        var text = certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
        return Encoding.ASCII.GetBytes(text);
    }

    private static string DefaultDeviceName()
    {
        var name = Environment.MachineName;
        return string.IsNullOrWhiteSpace(name) ? "isg" : name;
    }
}
