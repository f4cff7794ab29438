using System.Buffers;

namespace Isg.Protocol.Erasure;

/// <summary>
/// Classic systematic Reed-Solomon over GF(2^8) (primitive polynomial 0x11D, generator roots α^0..α^(parity−1)).
/// A codeword is data ‖ parity, at most 255 bytes; byte i is the coefficient of x^(length−1−i). Corrects e errors and
/// s erasures while 2e + s ≤ parity. Immutable and thread-safe.
/// </summary>
public sealed class ReedSolomonErrorCorrector
{
    /// <summary>The largest codeword, 2^8 − 1 bytes.</summary>
    public const int MaxCodewordLength = 255;

    /// <summary>The largest parity count accepted.</summary>
    public const int MaxParityBytes = 128;

    private static readonly ReedSolomonErrorCorrector?[] s_shared = new ReedSolomonErrorCorrector?[MaxParityBytes + 1];

    // generator[i] is the coefficient of x^(parity−1−i) in g(x) = Π (x − α^r), whose leading 1 is implied.
    private readonly byte[] _generator;
    private readonly byte[] _generatorProducts;
    private readonly byte[] _rootProducts;
    private CodingTables? _parityTables;

    /// <summary>A code with <paramref name="parityBytes"/> (1..128) parity bytes per codeword.</summary>
    public ReedSolomonErrorCorrector(int parityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parityBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parityBytes, MaxParityBytes);
        ParityBytes = parityBytes;
        _generator = BuildGenerator(parityBytes);
        var roots = new byte[parityBytes];
        GaloisField.ExpTable[..parityBytes].CopyTo(roots);
        _generatorProducts = ProductRows(_generator);
        _rootProducts = ProductRows(roots);
        RootTables = GaloisLanes.BuildTables(roots, 1, parityBytes);
    }

    /// <summary>Parity bytes per codeword; the code corrects up to ParityBytes / 2 unknown errors.</summary>
    public int ParityBytes { get; }

    /// <summary>g(x)'s coefficients below the leading 1, highest degree first (the LFSR taps).</summary>
    internal ReadOnlySpan<byte> Generator => _generator;

    /// <summary>The 256 products c·x of each generator tap c, tap after tap.</summary>
    internal ReadOnlySpan<byte> GeneratorProducts => _generatorProducts;

    /// <summary>The 256 products α^r·x of each root, r = 0..parity−1 (the Horner steps of the syndromes).</summary>
    internal ReadOnlySpan<byte> RootProducts => _rootProducts;

    /// <summary>The roots α^r as vector tables.</summary>
    internal CodingTables RootTables { get; }

    /// <summary>
    /// The parity × parity matrix M with parity_j = Σ_r M[j][r]·H_r, where H_r is the data alone evaluated at α^r
    /// (Horner over the data bytes); built on first use.
    /// </summary>
    internal CodingTables ParityTables
    {
        get
        {
            // A race builds two equal tables; either may win. No delegate, so no allocation once built.
            var tables = Volatile.Read(ref _parityTables);
            if (tables is null)
            {
                tables = BuildParityTables();
                Volatile.Write(ref _parityTables, tables);
            }

            return tables;
        }
    }

    /// <summary>Scratch bytes <see cref="ReedSolomonSolver.Solve"/> needs for this parity.</summary>
    internal int SolverScratchBytes => ReedSolomonSolver.ScratchBytes(ParityBytes);

    /// <summary>One shared instance per parity count, built on first use (the tables are immutable).</summary>
    internal static ReedSolomonErrorCorrector Shared(int parityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parityBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parityBytes, MaxParityBytes);
        var code = Volatile.Read(ref s_shared[parityBytes]);
        if (code is null)
        {
            // A race builds two equal instances; either may win.
            code = new ReedSolomonErrorCorrector(parityBytes);
            Volatile.Write(ref s_shared[parityBytes], code);
        }

        return code;
    }

    /// <summary>
    /// Writes the <see cref="ParityBytes"/> parity bytes of <paramref name="data"/> (at most 255 − ParityBytes bytes)
    /// into <paramref name="parity"/>, whose length must be exactly <see cref="ParityBytes"/>.
    /// </summary>
    public void Encode(ReadOnlySpan<byte> data, Span<byte> parity)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, MaxCodewordLength - ParityBytes, nameof(data));
        if (parity.Length != ParityBytes)
        {
            throw new ArgumentException($"Expected {ParityBytes} parity bytes, got {parity.Length}.", nameof(parity));
        }

        // The LFSR divides data(x)·x^parity by g(x); its register ends as the remainder, highest degree first.
        parity.Clear();
        var products = _generatorProducts.AsSpan();
        var last = ParityBytes - 1;
        foreach (var b in data)
        {
            var feedback = b ^ parity[0];
            for (var i = 0; i < last; i++)
            {
                parity[i] = (byte)(parity[i + 1] ^ products[(i << 8) + feedback]);
            }

            parity[last] = products[(last << 8) + feedback];
        }
    }

    /// <summary>
    /// Corrects <paramref name="codeword"/> (data ‖ parity, ParityBytes + 1..255 bytes: shorter than 255 is a
    /// shortened code) in place. Returns the number of bytes changed (0 when it was already a codeword), or −1 when
    /// it is uncorrectable, leaving it unchanged. <paramref name="erasurePositions"/> are distinct byte indices known
    /// to be unreliable; each costs one parity byte instead of two.
    /// </summary>
    public int Correct(Span<byte> codeword, ReadOnlySpan<int> erasurePositions = default)
    {
        var length = codeword.Length;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, ParityBytes, nameof(codeword));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxCodewordLength, nameof(codeword));
        Span<ulong> seen = stackalloc ulong[4];
        foreach (var position in erasurePositions)
        {
            if ((uint)position >= (uint)length)
            {
                throw new ArgumentOutOfRangeException(nameof(erasurePositions), position, $"An erasure position must lie in 0..{length - 1}.");
            }

            ref var word = ref seen[position >> 6];
            var bit = 1UL << (position & 63);
            if ((word & bit) != 0)
            {
                throw new ArgumentException($"Erasure position {position} is listed twice.", nameof(erasurePositions));
            }

            word |= bit;
        }

        if (erasurePositions.Length > ParityBytes)
        {
            return -1;
        }

        var parity = ParityBytes;
        var rented = ArrayPool<byte>.Shared.Rent((3 * parity) + SolverScratchBytes);
        try
        {
            var syndromes = rented.AsSpan(0, parity);
            var locations = rented.AsSpan(parity, parity);
            var magnitudes = rented.AsSpan(2 * parity, parity);
            var scratch = rented.AsSpan(3 * parity, SolverScratchBytes);
            if (!ComputeSyndromes(codeword, syndromes))
            {
                return 0;
            }

            var erasures = locations[..erasurePositions.Length];
            for (var k = 0; k < erasures.Length; k++)
            {
                erasures[k] = (byte)(length - 1 - erasurePositions[k]);
            }

            var count = ReedSolomonSolver.Solve(syndromes, length, erasures.Length, locations, magnitudes, scratch);
            if (count < 0)
            {
                return -1;
            }

            var corrected = 0;
            for (var k = 0; k < count; k++)
            {
                if (magnitudes[k] != 0)
                {
                    codeword[length - 1 - locations[k]] ^= magnitudes[k];
                    corrected++;
                }
            }

            return corrected;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // Horner's rule per root: S_r = c(α^r). False when every syndrome is 0, i.e. the word is a codeword.
    private bool ComputeSyndromes(ReadOnlySpan<byte> codeword, Span<byte> syndromes)
    {
        syndromes.Clear();
        var products = _rootProducts.AsSpan();
        foreach (var b in codeword)
        {
            syndromes[0] ^= b;
            for (var r = 1; r < syndromes.Length; r++)
            {
                syndromes[r] = (byte)(products[(r << 8) + syndromes[r]] ^ b);
            }
        }

        byte any = 0;
        foreach (var s in syndromes)
        {
            any |= s;
        }

        return any != 0;
    }

    private static byte[] BuildGenerator(int parity)
    {
        // Ascending coefficients of Π_{r<parity} (x + α^r), multiplied in one root at a time.
        Span<byte> ascending = stackalloc byte[MaxParityBytes + 1];
        ascending.Clear();
        ascending[0] = 1;
        for (var r = 0; r < parity; r++)
        {
            var root = GaloisField.ExpTable[r];
            for (var j = r + 1; j > 0; j--)
            {
                ascending[j] = (byte)(ascending[j - 1] ^ GaloisField.Multiply(ascending[j], root));
            }

            ascending[0] = GaloisField.Multiply(ascending[0], root);
        }

        var taps = new byte[parity];
        for (var i = 0; i < parity; i++)
        {
            taps[i] = ascending[parity - 1 - i];
        }

        return taps;
    }

    // A codeword's syndromes vanish: α^(r·parity)·H_r + Σ_j parity_j·α^(r(parity−1−j)) = 0 for every r. The Vandermonde
    // matrix V[r][j] = α^(r(parity−1−j)) has distinct nodes, so parity = V⁻¹·diag(α^(r·parity))·H.
    private CodingTables BuildParityTables()
    {
        var parity = ParityBytes;
        var exp = GaloisField.ExpTable;
        var vandermonde = new byte[parity * parity];
        for (var r = 0; r < parity; r++)
        {
            for (var j = 0; j < parity; j++)
            {
                vandermonde[(r * parity) + j] = exp[r * (parity - 1 - j) % 255];
            }
        }

        var inverse = new byte[parity * parity];
        if (!GaloisField.TryInvert(vandermonde, inverse, parity))
        {
            throw new InvalidOperationException("A Vandermonde matrix over distinct powers of α is invertible.");
        }

        for (var j = 0; j < parity; j++)
        {
            for (var r = 0; r < parity; r++)
            {
                inverse[(j * parity) + r] = GaloisField.Multiply(inverse[(j * parity) + r], exp[r * parity % 255]);
            }
        }

        return GaloisLanes.BuildTables(inverse, parity, parity);
    }

    private static byte[] ProductRows(ReadOnlySpan<byte> constants)
    {
        var rows = new byte[constants.Length << 8];
        for (var i = 0; i < constants.Length; i++)
        {
            GaloisField.ProductRow(constants[i]).CopyTo(rows.AsSpan(i << 8, 256));
        }

        return rows;
    }
}
