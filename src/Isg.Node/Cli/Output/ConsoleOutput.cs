using System.Text.Json;

namespace Isg.Node.Cli.Output;

/// <summary>
/// Where the CLI writes: results to stdout, diagnostics to stderr. Knows whether stdout is a terminal
/// (progress bars) or a pipe (one line per event), and the -q/-v/--json choices.
/// </summary>
public sealed class ConsoleOutput(TextWriter stdout, TextWriter stderr, bool isTerminal, Verbosity verbosity)
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly Lock _lock = new();

    /// <summary>True when stdout is an interactive terminal.</summary>
    public bool IsTerminal { get; } = isTerminal;

    /// <summary>How much to say.</summary>
    public Verbosity Verbosity { get; } = verbosity;

    /// <summary>Writes a result line (suppressed by -q).</summary>
    public void Line(string text)
    {
        if (Verbosity == Verbosity.Quiet)
        {
            return;
        }

        lock (_lock)
        {
            stdout.WriteLine(text);
        }
    }

    /// <summary>Writes a result line even under -q (data the user asked for, such as ls output).</summary>
    public void Data(string text)
    {
        lock (_lock)
        {
            stdout.WriteLine(text);
        }
    }

    /// <summary>Writes a progress line to stderr (suppressed by -q), so stdout carries only results (and --json stays JSON).</summary>
    public void Progress(string text)
    {
        if (Verbosity != Verbosity.Quiet)
        {
            lock (_lock)
            {
                stderr.WriteLine(text);
            }
        }
    }

    /// <summary>Writes a detail line only under -v.</summary>
    public void Detail(string text)
    {
        if (Verbosity == Verbosity.Verbose)
        {
            lock (_lock)
            {
                stderr.WriteLine(text);
            }
        }
    }

    /// <summary>Writes a warning to stderr (suppressed by -q).</summary>
    public void Warn(string text)
    {
        if (Verbosity != Verbosity.Quiet)
        {
            lock (_lock)
            {
                stderr.WriteLine("isg: warning: " + text);
            }
        }
    }

    /// <summary>Writes an error to stderr, always.</summary>
    public void Error(string text)
    {
        lock (_lock)
        {
            stderr.WriteLine("isg: error: " + text);
        }
    }

    /// <summary>Writes <paramref name="value"/> as indented camelCase JSON to stdout.</summary>
    public void Json<T>(T value)
    {
        lock (_lock)
        {
            stdout.WriteLine(JsonSerializer.Serialize(value, s_json));
        }
    }
}
