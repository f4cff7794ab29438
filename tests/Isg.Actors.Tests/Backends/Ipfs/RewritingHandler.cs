namespace Isg.Actors.Tests.Backends.Ipfs;

/// <summary>
/// An HTTP handler for fault tests: <c>rewrite(request, response)</c> sees each exchange. With no inner handler the
/// response passed in is null and rewrite must answer by itself (a fake server); otherwise the real answer passes
/// through it (a corrupting proxy).
/// </summary>
public sealed class RewritingHandler : DelegatingHandler
{
    private readonly Func<HttpRequestMessage, HttpResponseMessage, Task<HttpResponseMessage>> _rewrite;

    /// <summary>A fake server answering every request with <paramref name="answer"/> (its response argument is null).</summary>
    public RewritingHandler(Func<HttpRequestMessage, HttpResponseMessage, Task<HttpResponseMessage>> answer) => _rewrite = answer;

    /// <summary>A proxy to the network whose answers pass through <paramref name="rewrite"/>.</summary>
    public static RewritingHandler Proxy(Func<HttpRequestMessage, HttpResponseMessage, Task<HttpResponseMessage>> rewrite) =>
        new(rewrite) { InnerHandler = new SocketsHttpHandler() };

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var response = InnerHandler is null ? null! : await base.SendAsync(request, cancellationToken);
        return await _rewrite(request, response);
    }
}
