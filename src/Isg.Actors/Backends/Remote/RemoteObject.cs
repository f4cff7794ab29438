namespace Isg.Actors.Backends.Remote;

/// <summary>
/// Where a platform keeps one of our objects: the platform's ids for its parts, in order (one part unless the object
/// was split to fit the platform's size limit; a Discord message id, a Telegram message and file id, a YouTube video
/// id), and the object's length in bytes.
/// </summary>
public sealed record RemoteObject(string Name, IReadOnlyList<string> Parts, long Length);
