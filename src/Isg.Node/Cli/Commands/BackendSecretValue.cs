namespace Isg.Node.Cli.Commands;

/// <summary>
/// Resolves the value of a secret backend setting so it need not sit in shell history: "env:VAR" reads environment
/// variable VAR, "-" reads one line from stdin, anything else is the value itself; a setting not given on the command
/// line is read from ISG_BACKEND_NAME (the setting's name upper-cased, '-' as '_') when that is set.
/// </summary>
public static class BackendSecretValue
{
    /// <summary>The environment variable a secret setting called <paramref name="setting"/> falls back to.</summary>
    public static string EnvironmentVariable(string setting)
    {
        ArgumentException.ThrowIfNullOrEmpty(setting);
        return "ISG_BACKEND_" + setting.ToUpperInvariant().Replace('-', '_');
    }

    /// <summary>
    /// The value of secret setting <paramref name="setting"/> given as <paramref name="given"/> (null: not given);
    /// null when neither it nor its environment variable is set. Throws <see cref="CliException"/> (Usage) for a
    /// named variable that is unset or an empty stdin.
    /// </summary>
    public static string? Resolve(string setting, string? given, TextReader stdin)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        if (given is null)
        {
            return Environment.GetEnvironmentVariable(EnvironmentVariable(setting)) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        }

        if (given == "-")
        {
            return stdin.ReadLine()?.Trim() is { Length: > 0 } line
                ? line
                : throw new CliException(ExitCode.Usage, $"--{setting} -: stdin gave no value");
        }

        if (given.StartsWith("env:", StringComparison.Ordinal))
        {
            var variable = given[4..];
            return Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
                ? value
                : throw new CliException(ExitCode.Usage, $"--{setting} env:{variable}: the variable is not set");
        }

        return given;
    }
}
