using Isg.Protocol.Crdt;
using Isg.Protocol.Errors;
using Isg.Protocol.Manifests;
using Wire = Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Catalog;

/// <summary>Converts between catalogue rows (<see cref="FileCommit"/>) and replicated versions (<see cref="PathVersion"/>).</summary>
public static class CrdtVersions
{
    /// <summary>
    /// The compression id of a block row made for a file from a peer before the block itself is held here (it has no
    /// location yet: a wanted block). Never a real envelope's id.
    /// </summary>
    public const int NotHeldCompression = -1;

    /// <summary>The replicated version of a committed file.</summary>
    public static PathVersion FromCommit(FileCommit file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new PathVersion((byte)file.Kind, file.Size, file.Mode, file.MtimeUnixNs, file.LinkTarget, file.MerkleRoot, file.Manifest);
    }

    /// <summary>The file row a replicated version shows at <paramref name="path"/>: its blocks come from its manifest.</summary>
    public static FileCommit ToCommit(string path, PathVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var blocks = new List<FileBlock>();
        if (version.Manifest.Length > 0)
        {
            // Versions were checked when they arrived (CrdtWire), so a manifest that fails here is local damage.
            if (Manifest.TryDecode(version.Manifest, out var manifest, out _, out var error) != DecodeStatus.Done)
            {
                throw new InvalidDataException($"manifest of '{path}' does not decode: {error.Message}");
            }

            long offset = 0;
            foreach (var block in manifest!.Blocks)
            {
                blocks.Add(new FileBlock(blocks.Count, block.Id, offset, block.Length));
                offset += block.Length;
            }
        }

        return new FileCommit(path, (FileKind)version.Kind, version.Size, version.Mode, version.MtimeUnixNs, version.LinkTarget,
            version.MerkleRoot, version.Manifest, blocks);
    }

    /// <summary>Reads an operation as the catalogue stores it; a row that does not read is catalogue damage.</summary>
    public static CatalogOperation DecodeStored(ReadOnlySpan<byte> encoded, string catalogPath)
    {
        Wire.CatalogOperation message;
        try
        {
            message = Wire.CatalogOperation.Parser.ParseFrom(encoded);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new CatalogException(CatalogErrorKind.Corrupt, catalogPath, "a stored catalogue operation does not parse", e);
        }

        if (!CrdtWire.TryFromWire(message, checkManifest: false, out var operation, out var error))
        {
            throw new CatalogException(CatalogErrorKind.Corrupt, catalogPath, "a stored catalogue operation is invalid: " + error.Message);
        }

        return operation;
    }
}
