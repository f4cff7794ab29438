using BenchmarkDotNet.Running;

namespace Isg.Benchmarks;

public static class Program
{
    public static async Task Main(string[] args)
    {
        if (args is ["serve-fakes"])
        {
            // Not a benchmark: the platform fakes for bench/backends.sh.
            await FakePlatformHost.RunAsync();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
