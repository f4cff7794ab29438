using System.Text;
using QRCoder;

namespace Isg.Node.Cli.Output;

/// <summary>
/// Draws a QR code as text with Unicode half blocks: each character is two modules stacked (▀ ▄ █ or space), so the code
/// stays square in a terminal. Light modules are drawn, dark ones left blank, as on a terminal with a dark background;
/// the quiet zone (light) is 4 modules wide.
/// </summary>
public static class TerminalQrCode
{
    /// <summary>The modules of <paramref name="text"/>'s QR code (error correction M), quiet zone included; true is dark.</summary>
    public static bool[][] Modules(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return [.. data.ModuleMatrix.Select(row => Enumerable.Range(0, row.Length).Select(i => row[i]).ToArray())];
    }

    /// <summary>The lines of the drawing of <paramref name="text"/>'s QR code.</summary>
    public static IReadOnlyList<string> Render(string text)
    {
        var modules = Modules(text);
        var lines = new List<string>((modules.Length + 1) / 2);
        var line = new StringBuilder(modules.Length);
        for (var y = 0; y < modules.Length; y += 2)
        {
            line.Clear();
            for (var x = 0; x < modules[y].Length; x++)
            {
                var top = !modules[y][x];
                // An odd last row is completed by the light quiet zone below it.
                var bottom = y + 1 >= modules.Length || !modules[y + 1][x];
                line.Append((top, bottom) switch
                {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    _ => ' ',
                });
            }

            lines.Add(line.ToString());
        }

        return lines;
    }
}
