namespace Isg.Protocol.Erasure;

/// <summary>
/// The algebra of one Reed-Solomon codeword, from its syndromes to its error values: the erasure locator, Forney
/// syndromes, Berlekamp–Massey for the error locator, a Chien search for its roots and Forney's formula for the
/// magnitudes. Locations are powers q (byte index length − 1 − q, locator α^q); generator roots start at α^0.
/// </summary>
internal static class ReedSolomonSolver
{
    // s_halfTrace[c] is a y with y² + y = c, or 0 when there is none (c ≠ 0); y + 1 is the other root.
    private static readonly byte[] s_halfTrace = BuildHalfTrace();

    /// <summary>The scratch length <see cref="Solve"/> needs for <paramref name="parity"/> syndromes.</summary>
    public static int ScratchBytes(int parity) => 7 * (parity + 1);

    /// <summary>
    /// Finds the corrections of a codeword of <paramref name="length"/> bytes whose syndromes (not all 0) are
    /// <paramref name="syndromes"/>. On entry locations[..erasureCount] hold the erasures' powers; on success
    /// locations[..n] and magnitudes[..n] hold every correction (an erasure's magnitude may be 0) and n is returned.
    /// Returns −1 when the word is uncorrectable: more errors than the parity left over by the erasures, or a
    /// locator whose roots do not all fall on distinct positions inside the codeword.
    /// </summary>
    public static int Solve(ReadOnlySpan<byte> syndromes, int length, int erasureCount, Span<byte> locations, Span<byte> magnitudes, Span<byte> scratch)
    {
        var parity = syndromes.Length;
        var size = parity + 1;
        var exp = GaloisField.ExpTable;
        var log = GaloisField.LogTable;

        var gamma = scratch[..size];
        var forney = scratch.Slice(size, parity);
        var sigma = scratch.Slice(size + parity, size);
        var previous = scratch.Slice((2 * size) + parity, size);
        var saved = scratch.Slice((3 * size) + parity, size);
        var lambda = scratch.Slice((4 * size) + parity, size);
        var omega = scratch.Slice((5 * size) + parity, parity);

        // Γ(x) = Π (1 + Z x) over the erasure locators Z.
        gamma.Clear();
        gamma[0] = 1;
        for (var k = 0; k < erasureCount; k++)
        {
            var z = exp[locations[k]];
            for (var j = k + 1; j > 0; j--)
            {
                gamma[j] ^= GaloisField.Multiply(gamma[j - 1], z);
            }
        }

        // Coefficients erasureCount..parity−1 of Γ(x)S(x) cancel the erasures and leave a plain syndrome sequence
        // of the errors alone, whose locator Berlekamp–Massey finds.
        var known = parity - erasureCount;
        if (erasureCount == 0)
        {
            syndromes.CopyTo(forney);
        }

        for (var i = 0; i < known && erasureCount > 0; i++)
        {
            byte sum = 0;
            for (var t = 0; t <= erasureCount; t++)
            {
                sum ^= GaloisField.Multiply(gamma[t], syndromes[erasureCount + i - t]);
            }

            forney[i] = sum;
        }

        var errors = BerlekampMassey(forney[..known], sigma, previous, saved);
        if (2 * errors > known)
        {
            return -1;
        }

        if (!FindRoots(sigma, errors, length, locations.Slice(erasureCount, errors)))
        {
            return -1;
        }

        // Λ(x) = σ(x)Γ(x) locates everything; Ω(x) = S(x)Λ(x) mod x^(errors+erasures) is all Forney needs.
        var total = errors + erasureCount;
        lambda.Clear();
        for (var i = 0; i <= errors; i++)
        {
            if (sigma[i] == 0)
            {
                continue;
            }

            for (var j = 0; j <= erasureCount; j++)
            {
                lambda[i + j] ^= GaloisField.Multiply(sigma[i], gamma[j]);
            }
        }

        for (var j = 0; j < total; j++)
        {
            byte sum = 0;
            for (var i = 0; i <= j; i++)
            {
                sum ^= GaloisField.Multiply(syndromes[i], lambda[j - i]);
            }

            omega[j] = sum;
        }

        for (var k = 0; k < total; k++)
        {
            var q = locations[k];
            var inverseLog = q == 0 ? 0 : 255 - q;
            byte numerator = 0;
            var power = 0;
            for (var j = 0; j < total; j++)
            {
                numerator ^= GaloisField.Multiply(omega[j], exp[power]);
                power += inverseLog;
                power -= power >= 255 ? 255 : 0;
            }

            // Λ'(x) keeps the odd terms only (characteristic 2): Σ Λ_j x^(j−1) over odd j.
            byte denominator = 0;
            var step = inverseLog * 2 % 255;
            power = 0;
            for (var j = 1; j <= total; j += 2)
            {
                denominator ^= GaloisField.Multiply(lambda[j], exp[power]);
                power += step;
                power -= power >= 255 ? 255 : 0;
            }

            if (denominator == 0)
            {
                return -1;
            }

            // Y = X·Ω(X⁻¹)/Λ'(X⁻¹) for roots starting at α^0.
            var magnitude = numerator == 0 ? (byte)0 : exp[(q + log[numerator] + 255 - log[denominator]) % 255];
            if (magnitude == 0 && k >= erasureCount)
            {
                return -1;
            }

            magnitudes[k] = magnitude;
        }

        return total;
    }

    // Shortest LFSR σ (σ_0 = 1) generating the sequence; returns its length L. Products go through logarithms with
    // the discrepancy's taken once per step, and loops stop at the polynomials' degrees.
    private static int BerlekampMassey(ReadOnlySpan<byte> sequence, Span<byte> sigma, Span<byte> previous, Span<byte> saved)
    {
        var exp = GaloisField.ExpTable;
        var log = GaloisField.LogTable;
        sigma.Clear();
        previous.Clear();
        sigma[0] = 1;
        previous[0] = 1;
        var length = 0;
        var sigmaDegree = 0;
        var previousDegree = 0;
        var shift = 1;
        var lastDiscrepancyLog = 0;
        for (var k = 0; k < sequence.Length; k++)
        {
            int discrepancy = sequence[k];
            // deg σ ≤ L always, so the sum stops at L (≤ k).
            for (var i = 1; i <= length; i++)
            {
                var a = sigma[i];
                var b = sequence[k - i];
                if (a != 0 && b != 0)
                {
                    discrepancy ^= exp[log[a] + log[b]];
                }
            }

            if (discrepancy == 0)
            {
                shift++;
                continue;
            }

            // σ ← σ − (d / d_last)·x^shift·previous
            var factorLog = log[discrepancy] + 255 - lastDiscrepancyLog;
            factorLog -= factorLog >= 255 ? 255 : 0;
            var grows = 2 * length <= k;
            var oldDegree = sigmaDegree;
            if (grows)
            {
                sigma[..(sigmaDegree + 1)].CopyTo(saved);
            }

            var top = Math.Min(previousDegree, sigma.Length - 1 - shift);
            for (var i = 0; i <= top; i++)
            {
                var b = previous[i];
                if (b != 0)
                {
                    sigma[i + shift] ^= exp[factorLog + log[b]];
                }
            }

            sigmaDegree = Math.Max(sigmaDegree, top + shift);
            if (grows)
            {
                length = k + 1 - length;
                saved[..(oldDegree + 1)].CopyTo(previous);
                previous[(oldDegree + 1)..].Clear();
                previousDegree = oldDegree;
                lastDiscrepancyLog = log[discrepancy];
                shift = 1;
            }
            else
            {
                shift++;
            }
        }

        return length;
    }

    // The roots of σ among the codeword's own positions: σ(α^−q) = 0 for exactly `errors` powers q < length.
    private static bool FindRoots(ReadOnlySpan<byte> sigma, int errors, int length, Span<byte> roots)
    {
        var log = GaloisField.LogTable;
        for (var j = errors + 1; j < sigma.Length; j++)
        {
            if (sigma[j] != 0)
            {
                return false;
            }
        }

        if (errors == 0)
        {
            return true;
        }

        if (errors == 1)
        {
            // σ(x) = 1 + X x, so the one locator is σ_1 itself.
            if (sigma[1] == 0 || log[sigma[1]] >= length)
            {
                return false;
            }

            roots[0] = log[sigma[1]];
            return true;
        }

        if (errors == 2)
        {
            return QuadraticRoots(sigma[1], sigma[2], length, roots);
        }

        return ChienSearch.TryFindRoots(sigma, errors, length, roots);
    }

    // 1 + σ1·x + σ2·x² = 0: with x = (σ1/σ2)·y it becomes y² + y = σ2/σ1², solved by table; σ1 = 0 is a double root.
    private static bool QuadraticRoots(byte sigma1, byte sigma2, int length, Span<byte> roots)
    {
        if (sigma1 == 0 || sigma2 == 0)
        {
            return false;
        }

        var exp = GaloisField.ExpTable;
        var log = GaloisField.LogTable;
        var c = exp[(log[sigma2] + 510 - (2 * log[sigma1])) % 255];
        var y = s_halfTrace[c];
        if (y == 0)
        {
            return false;
        }

        // A root x = (σ1/σ2)·y has locator X = 1/x, so q = log X = log σ2 − log σ1 − log y (mod 255).
        var scaleLog = log[sigma2] + 255 - log[sigma1];
        var first = (scaleLog + 255 - log[y]) % 255;
        var second = (scaleLog + 255 - log[y ^ 1]) % 255;
        if (first >= length || second >= length)
        {
            return false;
        }

        roots[0] = (byte)first;
        roots[1] = (byte)second;
        return true;
    }

    private static byte[] BuildHalfTrace()
    {
        var table = new byte[256];
        for (var y = 2; y < 256; y++)
        {
            table[GaloisField.Multiply((byte)y, (byte)y) ^ y] = (byte)y;
        }

        return table;
    }
}
