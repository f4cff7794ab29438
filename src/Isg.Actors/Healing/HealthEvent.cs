namespace Isg.Actors.Healing;

/// <summary>
/// One finding or action of the healer, numbered by <see cref="Sequence"/> (1, 2, ... per node). Backend, object,
/// block and stripe are set when they apply; <see cref="Files"/> names the files the event affects.
/// </summary>
public sealed record HealthEvent(
    long Sequence,
    DateTimeOffset Time,
    HealthEventKind Kind,
    string? Backend,
    string? ObjectName,
    string? Block,
    long? Stripe,
    IReadOnlyList<string> Files,
    string Message);
