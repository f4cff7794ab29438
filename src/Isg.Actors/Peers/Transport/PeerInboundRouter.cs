using System.Collections.Concurrent;
using Isg.Protocol.Peers.Wire;

namespace Isg.Actors.Peers.Transport;

/// <summary>
/// Routes each inbound frame to the handler registered for its body (sync takes the catalogue messages, swarm the
/// block messages). Handlers may register at any time, e.g. when their actor starts; until one is registered for a
/// body, requests with it are answered BUSY and one-way messages with it are dropped. Thread-safe.
/// </summary>
public sealed class PeerInboundRouter : IPeerInboundHandler
{
    private readonly ConcurrentDictionary<PeerFrame.BodyOneofCase, IPeerInboundHandler> _handlers = new();

    /// <summary>
    /// Routes frames with any of <paramref name="bodies"/> to <paramref name="handler"/> until the returned registration
    /// is disposed. Throws <see cref="InvalidOperationException"/> when a body already has a handler and
    /// <see cref="ArgumentException"/> for bodies the transport handles itself (Hello, Ping, Pong, Close, ErrorReply).
    /// </summary>
    public IDisposable Register(IPeerInboundHandler handler, params PeerFrame.BodyOneofCase[] bodies)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(bodies);
        foreach (var body in bodies)
        {
            if (body is PeerFrame.BodyOneofCase.None or PeerFrame.BodyOneofCase.Hello or PeerFrame.BodyOneofCase.Ping
                or PeerFrame.BodyOneofCase.Pong or PeerFrame.BodyOneofCase.Close or PeerFrame.BodyOneofCase.Error)
            {
                throw new ArgumentException($"{body} frames are handled by the transport itself", nameof(bodies));
            }
        }

        var added = new List<PeerFrame.BodyOneofCase>();
        foreach (var body in bodies)
        {
            if (!_handlers.TryAdd(body, handler))
            {
                foreach (var undo in added)
                {
                    _handlers.TryRemove(new KeyValuePair<PeerFrame.BodyOneofCase, IPeerInboundHandler>(undo, handler));
                }

                throw new InvalidOperationException($"{body} frames already have a handler");
            }

            added.Add(body);
        }

        return new Registration(this, handler, added);
    }

    /// <inheritdoc />
    public ValueTask<PeerFrame> HandleRequestAsync(IPeerSession session, PeerFrame request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_handlers.TryGetValue(request.BodyCase, out var handler))
        {
            return handler.HandleRequestAsync(session, request, cancellationToken);
        }

        var error = request.BodyCase == PeerFrame.BodyOneofCase.None
            ? new ErrorReply { Code = ErrorCode.BadRequest, Message = "unknown request" }
            : new ErrorReply { Code = ErrorCode.Busy, Message = $"no handler for {request.BodyCase} requests yet" };
        return ValueTask.FromResult(new PeerFrame { Error = error });
    }

    /// <inheritdoc />
    public ValueTask HandleMessageAsync(IPeerSession session, PeerFrame message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _handlers.TryGetValue(message.BodyCase, out var handler)
            ? handler.HandleMessageAsync(session, message, cancellationToken)
            : ValueTask.CompletedTask;
    }

    private sealed class Registration(PeerInboundRouter router, IPeerInboundHandler handler, List<PeerFrame.BodyOneofCase> bodies) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            foreach (var body in bodies)
            {
                router._handlers.TryRemove(new KeyValuePair<PeerFrame.BodyOneofCase, IPeerInboundHandler>(body, handler));
            }
        }
    }
}
