using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Isg.TestKit.Platforms;

/// <summary>
/// A Kestrel server on 127.0.0.1 (any free port) in the test process, for fakes of platform APIs: the fake gives one
/// request handler. Fault switches that apply to any platform: the next N requests fail with a status, or have their
/// connection cut after part of the request body was read.
/// </summary>
public sealed class KestrelFake : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private int _passBeforeFailing;
    private int _failNext;
    private int _failStatus;
    private int _cutNext;

    private KestrelFake(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The server's root, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Requests answered with an injected failure or cut.</summary>
    public int FaultsInjected { get; private set; }

    /// <summary>Starts a server that hands every request to <paramref name="handler"/>.</summary>
    public static async Task<KestrelFake> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            // The fakes enforce the platforms' own limits and answer them in the platforms' words.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        KestrelFake? fake = null;
        app.Run(context => fake!.HandleAsync(context, handler));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake = new KestrelFake(app, new Uri(address.TrimEnd('/') + "/"));
        return fake;
    }

    /// <summary>After <paramref name="after"/> more requests, the next <paramref name="count"/> are answered <paramref name="status"/> with an empty body.</summary>
    public void FailNext(int count, int status = StatusCodes.Status502BadGateway, int after = 0)
    {
        lock (_lock)
        {
            _passBeforeFailing = after;
            _failNext = count;
            _failStatus = status;
        }
    }

    /// <summary>The next <paramref name="count"/> requests have their connection aborted after reading part of the body.</summary>
    public void CutNext(int count)
    {
        lock (_lock)
        {
            _cutNext = count;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, Func<HttpContext, Task> handler)
    {
        int fail = 0;
        var cut = false;
        lock (_lock)
        {
            if (_cutNext > 0)
            {
                _cutNext--;
                cut = true;
                FaultsInjected++;
            }
            else if (_passBeforeFailing > 0)
            {
                _passBeforeFailing--;
            }
            else if (_failNext > 0)
            {
                _failNext--;
                fail = _failStatus;
                FaultsInjected++;
            }
        }

        if (cut)
        {
            // Take part of the body first, so the client is cut off mid-upload rather than before it starts.
            var scratch = new byte[1024];
            _ = await context.Request.Body.ReadAtLeastAsync(scratch, 1, throwOnEndOfStream: false);
            context.Abort();
            return;
        }

        if (fail != 0)
        {
            context.Response.StatusCode = fail;
            return;
        }

        await handler(context);
    }
}
