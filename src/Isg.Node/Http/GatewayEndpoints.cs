using Isg.Actors.Hosting;
using Isg.Actors.Transfers;
using Isg.Protocol.Hashing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Isg.Node.Http;

/// <summary>
/// Peer-served retrieval in the IPFS trustless-gateway form: <c>GET /ipfs/{cid}?format=raw</c> (or
/// <c>Accept: application/vnd.ipld.raw</c>) answers a block's bytes, which the client checks against the CID. Only
/// CIDv1 raw sha2-256 CIDs of blocks a live entry or snapshot references are served; other formats get 406.
/// </summary>
public static class GatewayEndpoints
{
    /// <summary>The media type of a raw block.</summary>
    public const string RawMediaType = "application/vnd.ipld.raw";

    /// <summary>Maps the gateway route onto <paramref name="app"/> (behind the API's token check).</summary>
    public static void Map(WebApplication app, StorageNode node, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(node);
        app.MapMethods("/ipfs/{cid}", [HttpMethods.Get, HttpMethods.Head], async (HttpContext http, string cid, string? format, CancellationToken cancellationToken) =>
        {
            var accept = http.Request.Headers.Accept.ToString();
            var wantsRaw = string.Equals(format, "raw", StringComparison.Ordinal) || accept.Contains(RawMediaType, StringComparison.Ordinal);
            if (!wantsRaw)
            {
                return Results.Problem($"only raw blocks are served: add ?format=raw or Accept: {RawMediaType}",
                    statusCode: StatusCodes.Status406NotAcceptable, title: "NotAcceptable");
            }

            if (!Cid.TryParse(cid, out var parsed, out var error))
            {
                return Results.Problem(error.Message, statusCode: StatusCodes.Status400BadRequest, title: error.Kind.ToString());
            }

            var id = BlockId.FromHash(parsed.Digest);
            Isg.Actors.Backends.PooledBuffer? block;
            try
            {
                block = await node.ReadReferencedBlockAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (DataIntegrityException e)
            {
                logger.LogWarning("gateway: block {Id} is referenced but unreadable: {Reason}", id, e.Message);
                return Results.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway, title: "Unavailable");
            }

            if (block is null)
            {
                return Results.Problem($"no block {cid} here", statusCode: StatusCodes.Status404NotFound, title: "NotFound");
            }

            using (block)
            {
                var headers = http.Response.Headers;
                headers.ContentType = RawMediaType;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "public, max-age=29030400, immutable";
                headers.ETag = $"\"{cid}.raw\"";
                headers.ContentLength = block.Memory.Length;
                if (HttpMethods.IsGet(http.Request.Method))
                {
                    await http.Response.Body.WriteAsync(block.Memory, cancellationToken).ConfigureAwait(false);
                }

                return Results.Empty;
            }
        });
    }
}
