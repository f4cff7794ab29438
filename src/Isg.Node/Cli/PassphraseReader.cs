using System.Text;

namespace Isg.Node.Cli;

/// <summary>
/// Gets the repository passphrase: $ISG_PASSPHRASE, else a prompt on the terminal (no echo), else a clear
/// error. The passphrase is returned as UTF-8 bytes the caller zeroes after use; it is never logged.
/// </summary>
public static class PassphraseReader
{
    /// <summary>Environment variable holding the passphrase for scripts.</summary>
    public const string EnvironmentVariable = "ISG_PASSPHRASE";

    /// <summary>Reads the passphrase; <paramref name="confirm"/> asks twice (for init), <paramref name="prompt"/> is what the terminal shows.</summary>
    public static byte[] Read(bool confirm, string prompt = "Repository passphrase: ")
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (fromEnvironment is not null)
        {
            if (fromEnvironment.Length == 0)
            {
                throw new CliException(ExitCode.WrongPassphrase, $"{EnvironmentVariable} is set but empty");
            }

            return Encoding.UTF8.GetBytes(fromEnvironment);
        }

        if (Console.IsInputRedirected)
        {
            throw new CliException(ExitCode.WrongPassphrase,
                $"no passphrase: set {EnvironmentVariable} (standard input is not a terminal, so isg cannot prompt)");
        }

        var first = Prompt(prompt);
        if (first.Length == 0)
        {
            throw new CliException(ExitCode.WrongPassphrase, "the passphrase may not be empty");
        }

        if (confirm && Prompt("Repeat passphrase: ") != first)
        {
            throw new CliException(ExitCode.WrongPassphrase, "the passphrases did not match");
        }

        return Encoding.UTF8.GetBytes(first);
    }

    /// <summary>Writes <paramref name="text"/> to standard error and reads one line from the terminal without echoing it.</summary>
    internal static string Prompt(string text)
    {
        Console.Error.Write(text);
        var builder = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (builder.Length > 0)
                {
                    builder.Length--;
                }

                continue;
            }

            if (!char.IsControl(key.KeyChar))
            {
                builder.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return builder.ToString();
    }
}
