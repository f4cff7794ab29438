using System.Text.Json;
using System.Text.RegularExpressions;

namespace Isg.Node.Tests.EndToEnd;

/// <summary>How one run of the `isg` CLI ended: exit code, everything it wrote, and how long it took.</summary>
public sealed partial record IsgResult(IReadOnlyList<string> Args, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>Stdout split into lines.</summary>
    public IReadOnlyList<string> Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The paths of the "VERB PATH" lines (e.g. VERB "added" or "restored"), in order.</summary>
    public IReadOnlyList<string> PathsWith(string verb) =>
        Lines.Where(l => l.StartsWith(verb + " ", StringComparison.Ordinal)).Select(l => l[(verb.Length + 1)..]).ToList();

    /// <summary>Throws with the whole transcript unless the exit code is <paramref name="expected"/>.</summary>
    public IsgResult AssertExit(int expected)
    {
        if (ExitCode != expected)
        {
            throw new Xunit.Sdk.XunitException($"expected exit code {expected}\n{Describe()}");
        }

        return this;
    }

    /// <summary>Asserts exit code <paramref name="expected"/> and that stderr has an `isg: error:` line containing every one of <paramref name="fragments"/>.</summary>
    public IsgResult AssertError(int expected, params string[] fragments)
    {
        AssertExit(expected);
        var errors = Stderr.Split('\n').Where(l => l.StartsWith("isg: error: ", StringComparison.Ordinal)).ToList();
        if (errors.Count == 0 || !fragments.All(f => errors.Any(e => e.Contains(f, StringComparison.Ordinal))))
        {
            throw new Xunit.Sdk.XunitException(
                $"expected an 'isg: error:' line naming {string.Join(", ", fragments.Select(f => $"'{f}'"))}\n{Describe()}");
        }

        return this;
    }

    /// <summary>Stdout parsed as JSON (for --json output).</summary>
    public JsonElement Json()
    {
        try
        {
            using var document = JsonDocument.Parse(Stdout);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not JSON: {e.Message}\n{Describe()}");
        }
    }

    /// <summary>The numbers of an `add` summary line: added, unchanged, failed, new blocks, deduplicated blocks.</summary>
    public AddSummary AddSummary()
    {
        foreach (var line in Lines)
        {
            var match = AddSummaryPattern().Match(line);
            if (match.Success)
            {
                int Group(int i) => int.Parse(match.Groups[i].Value, System.Globalization.CultureInfo.InvariantCulture);
                return new AddSummary(Group(1), Group(2), Group(3), match.Groups[4].Value, Group(5), Group(6));
            }
        }

        throw new Xunit.Sdk.XunitException($"no add summary line\n{Describe()}");
    }

    /// <summary>The command, exit code, time and output, for failure messages.</summary>
    public string Describe()
    {
        static string Tail(string text) => text.Length <= 6000 ? text : "…" + text[^6000..];
        return $"$ isg {string.Join(' ', Args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a))}\n" +
            $"exit code {ExitCode} after {Elapsed.TotalSeconds:0.00} s\n--- stdout ---\n{Tail(Stdout)}\n--- stderr ---\n{Tail(Stderr)}";
    }

    [GeneratedRegex(@"^(\d+) added, (\d+) unchanged, (\d+) failed; read (.+?), stored .+ new \((\d+) new blocks, (\d+) deduplicated\)$")]
    private static partial Regex AddSummaryPattern();
}
