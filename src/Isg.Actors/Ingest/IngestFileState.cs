using Isg.Actors.Encoders;

namespace Isg.Actors.Ingest;

/// <summary>What the ingest job knows of one file while its chunks are being encoded.</summary>
internal sealed class IngestFileState(IngestItem item)
{
    private readonly List<EncodedBlock?> _blocks = [];

    /// <summary>The entry being added.</summary>
    public IngestItem Item { get; } = item;

    /// <summary>Chunks the reader sent; -1 until the reader finished the file.</summary>
    public int ExpectedChunks { get; set; } = -1;

    /// <summary>Chunks answered so far.</summary>
    public int ReceivedChunks { get; private set; }

    /// <summary>Bytes read (the size recorded: the file may have changed since the walk).</summary>
    public long BytesRead { get; set; }

    /// <summary>Why the file cannot be committed, if it cannot.</summary>
    public Exception? Failure { get; set; }

    /// <summary>True once committed, failed or found unchanged: nothing more to do.</summary>
    public bool Settled { get; set; }

    /// <summary>True when every chunk has been answered and the reader is done with the file.</summary>
    public bool IsComplete => ExpectedChunks >= 0 && ReceivedChunks == ExpectedChunks;

    /// <summary>The blocks in file order (only meaningful once complete and not failed).</summary>
    public IEnumerable<EncodedBlock> Blocks => _blocks.Select(b => b!.Value);

    /// <summary>Records the answer for chunk <paramref name="seq"/>.</summary>
    public void Record(int seq, EncodedBlock? block)
    {
        while (_blocks.Count <= seq)
        {
            _blocks.Add(null);
        }

        _blocks[seq] = block;
        ReceivedChunks++;
    }

    /// <summary>Drops the block list once committed, to keep memory bounded on huge adds.</summary>
    public void Release() => _blocks.Clear();
}
