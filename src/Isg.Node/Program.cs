using System.Runtime.InteropServices;
using Isg.Node.Cli;

namespace Isg.Node;

/// <summary>Entry point of the `isg` executable.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command; returns an <see cref="ExitCode"/>.</summary>
    public static async Task<int> Main(string[] args)
    {
        Hosting.NativeHeap.ReturnLargeBuffersToTheSystem();
        var root = IsgCommandLine.Build();
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl-C asks for a clean stop (acknowledged work is kept); a second one kills.
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                cancel.Cancel();
            }
        };

        // SIGTERM (systemd, Kubernetes) stops as cleanly as the first Ctrl-C: the command winds down and exits.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });
        var parse = root.Parse(args);
        return await parse.InvokeAsync(new System.CommandLine.InvocationConfiguration(), cancel.Token).ConfigureAwait(false);
    }
}
