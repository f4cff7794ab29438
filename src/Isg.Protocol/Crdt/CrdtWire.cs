using Google.Protobuf;
using Isg.Protocol.Errors;
using Isg.Protocol.Hashing;
using Isg.Protocol.Manifests;
using Isg.Protocol.Paths;
using Isg.Protocol.Peers;
using Wire = Isg.Protocol.Peers.Wire;

namespace Isg.Protocol.Crdt;

/// <summary>
/// Converts catalogue operations and version vectors to and from their peer.proto messages. Reading checks
/// everything a peer could get wrong (lengths, ranges, path form, bounds) and fails with a typed error, never a throw.
/// </summary>
public static class CrdtWire
{
    /// <summary>Most operations one operation may supersede: a path has few concurrent versions.</summary>
    public const int MaxSupersedes = 1024;

    /// <summary>Largest manifest accepted in an operation (a 64 GiB file at the smallest average block size).</summary>
    public const int MaxManifestBytes = 8 << 20;

    /// <summary>Most devices a version vector may name.</summary>
    public const int MaxVectorEntries = 4096;

    /// <summary>The wire form of <paramref name="operation"/>.</summary>
    public static Wire.CatalogOperation ToWire(CatalogOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var message = new Wire.CatalogOperation
        {
            Id = ToWire(operation.Id),
            Hlc = new Wire.HlcStamp { WallMs = (ulong)operation.Clock.WallMs, Logical = operation.Clock.Logical },
            Path = operation.Path,
        };
        if (operation.Version is { } version)
        {
            message.Version = new Wire.FileVersion
            {
                Kind = version.Kind,
                Size = (ulong)version.Size,
                Mode = unchecked((uint)version.Mode),
                MtimeNs = version.MtimeUnixNs,
                LinkTarget = version.LinkTarget ?? string.Empty,
                MerkleRoot = ByteString.CopyFrom(version.MerkleRoot.ToArray()),
                Manifest = ByteString.CopyFrom(version.Manifest),
            };
        }

        foreach (var superseded in operation.Supersedes)
        {
            message.Supersedes.Add(ToWire(superseded));
        }

        return message;
    }

    /// <summary>Reads an operation a peer sent; false with the reason when any field is out of bounds.</summary>
    public static bool TryFromWire(Wire.CatalogOperation message, out CatalogOperation operation, out ProtocolError error) =>
        TryFromWire(message, checkManifest: true, out operation, out error);

    /// <summary>
    /// Reads an operation; with <paramref name="checkManifest"/> false the manifest is taken as it is (operations this
    /// node stored after checking them), which saves decoding it on every read.
    /// </summary>
    public static bool TryFromWire(Wire.CatalogOperation message, bool checkManifest, out CatalogOperation operation, out ProtocolError error)
    {
        ArgumentNullException.ThrowIfNull(message);
        operation = null!;
        if (!TryFromWire(message.Id, out var id, out error))
        {
            return false;
        }

        if (message.Hlc is null || message.Hlc.WallMs > (ulong)HlcTimestamp.MaxWallMs || message.Hlc.Logical > ushort.MaxValue)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadField, $"operation {id}: missing or out-of-range clock");
            return false;
        }

        if (!CatalogPath.TryNormalize(message.Path, out var path, out error))
        {
            return false;
        }

        if (path.Length == 0 || !string.Equals(path, message.Path, StringComparison.Ordinal))
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadText, $"operation {id}: path '{message.Path}' is not in catalogue form");
            return false;
        }

        PathVersion? version = null;
        if (message.Version is { } wireVersion && !TryFromWire(wireVersion, id, checkManifest, out version, out error))
        {
            return false;
        }

        if (message.Supersedes.Count > MaxSupersedes)
        {
            error = ProtocolError.Of(ProtocolErrorKind.TooLarge, $"operation {id} supersedes more than {MaxSupersedes} operations");
            return false;
        }

        var supersedes = new OperationId[message.Supersedes.Count];
        for (var i = 0; i < supersedes.Length; i++)
        {
            if (!TryFromWire(message.Supersedes[i], out supersedes[i], out error))
            {
                return false;
            }
        }

        var clock = new HlcTimestamp((long)message.Hlc.WallMs, (ushort)message.Hlc.Logical, id.Device.TieBreak);
        operation = new CatalogOperation(id, clock, path, version, supersedes);
        error = default;
        return true;
    }

    /// <summary>The wire form of <paramref name="vector"/>.</summary>
    public static Wire.VersionVector ToWire(VersionVector vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var message = new Wire.VersionVector();
        foreach (var (device, sequence) in vector.Entries)
        {
            message.Entries.Add(new Wire.DeviceSequence { DeviceId = ByteString.CopyFrom(device.Hash.ToArray()), Sequence = sequence });
        }

        return message;
    }

    /// <summary>Reads a version vector a peer sent (an absent message is the empty vector).</summary>
    public static bool TryFromWire(Wire.VersionVector? message, out VersionVector vector, out ProtocolError error)
    {
        vector = VersionVector.Empty;
        if (message is null)
        {
            error = default;
            return true;
        }

        if (message.Entries.Count > MaxVectorEntries)
        {
            error = ProtocolError.Of(ProtocolErrorKind.TooLarge, $"version vector names more than {MaxVectorEntries} devices");
            return false;
        }

        var entries = new List<KeyValuePair<DeviceId, ulong>>(message.Entries.Count);
        foreach (var entry in message.Entries)
        {
            if (!TryReadDevice(entry.DeviceId, out var device, out error))
            {
                return false;
            }

            entries.Add(new(device, entry.Sequence));
        }

        vector = VersionVector.From(entries);
        error = default;
        return true;
    }

    /// <summary>The wire form of <paramref name="id"/>.</summary>
    public static Wire.OperationId ToWire(OperationId id) =>
        new() { DeviceId = ByteString.CopyFrom(id.Device.Hash.ToArray()), Sequence = id.Sequence };

    /// <summary>Reads an operation id (device id of 32 bytes, sequence at least 1).</summary>
    public static bool TryFromWire(Wire.OperationId? message, out OperationId id, out ProtocolError error)
    {
        id = default;
        if (message is null)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadField, "operation id missing");
            return false;
        }

        if (!TryReadDevice(message.DeviceId, out var device, out error))
        {
            return false;
        }

        if (message.Sequence == 0 || message.Sequence > long.MaxValue)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadField, $"operation sequence {message.Sequence} outside [1, 2^63)");
            return false;
        }

        id = new OperationId(device, message.Sequence);
        return true;
    }

    /// <summary>Reads a 32-byte device id field.</summary>
    public static bool TryReadDevice(ByteString bytes, out DeviceId device, out ProtocolError error)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        device = default;
        if (bytes.Length != DeviceId.Length)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadField, $"device id of {bytes.Length} bytes, expected {DeviceId.Length}");
            return false;
        }

        device = DeviceId.FromHash(Hash256.FromBytes(bytes.Span));
        error = default;
        return true;
    }

    private static bool TryFromWire(Wire.FileVersion message, OperationId id, bool checkManifest, out PathVersion? version, out ProtocolError error)
    {
        version = null;
        if (message.Kind > 2 || message.Size > long.MaxValue || message.MerkleRoot.Length != Hash256.Length)
        {
            error = ProtocolError.Of(ProtocolErrorKind.BadField, $"operation {id}: version with bad kind, size or Merkle root");
            return false;
        }

        if (message.Manifest.Length > MaxManifestBytes || message.LinkTarget.Length > CatalogPath.MaxLength)
        {
            error = ProtocolError.Of(ProtocolErrorKind.TooLarge, $"operation {id}: manifest or link target too large");
            return false;
        }

        // A file's manifest must be the content the version claims, so a receiver never fetches blocks for a size or
        // root that no manifest backs.
        var kindIsFile = message.Kind == 0;
        if (checkManifest && (kindIsFile || message.Manifest.Length > 0))
        {
            var status = Manifest.TryDecode(message.Manifest.Span, out var manifest, out var consumed, out error);
            if (status != DecodeStatus.Done || consumed != message.Manifest.Length)
            {
                error = ProtocolError.Of(ProtocolErrorKind.Malformed, $"operation {id}: manifest does not decode ({error.Message})");
                return false;
            }

            if ((ulong)manifest!.Size != message.Size || !manifest.MerkleRoot.ToArray().AsSpan().SequenceEqual(message.MerkleRoot.Span))
            {
                error = ProtocolError.Of(ProtocolErrorKind.HashMismatch, $"operation {id}: manifest size or root differs from the version's");
                return false;
            }
        }

        version = new PathVersion(
            (byte)message.Kind,
            (long)message.Size,
            unchecked((int)message.Mode),
            message.MtimeNs,
            message.LinkTarget.Length == 0 ? null : message.LinkTarget,
            Hash256.FromBytes(message.MerkleRoot.Span),
            message.Manifest.ToByteArray());
        error = default;
        return true;
    }
}
