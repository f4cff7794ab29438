using System.Text.Json;
using Isg.Actors.Storage;

namespace Isg.Actors.Backends.YouTube;

/// <summary>
/// A resumable upload in progress, as persisted beside its video file so that a later process finishes the same
/// session: the session URI, the video's length and metadata, and the bytes the session last said it held
/// (<paramref name="Received"/>, informational: resuming asks the session anyway). Read and written as one small JSON
/// file, atomically.
/// </summary>
public sealed record YouTubeUploadSession(Uri Session, long Length, string Title, string Description, long Received, DateTimeOffset StartedAt)
{
    /// <summary>Writes the record to <paramref name="path"/> atomically and durably.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this));

    /// <summary>The record at <paramref name="path"/>, or null when the file is missing or unreadable (an upload then starts a new session).</summary>
    public static YouTubeUploadSession? TryLoad(string path)
    {
        try
        {
            var record = JsonSerializer.Deserialize<YouTubeUploadSession>(File.ReadAllBytes(path));
            return record is { Session.IsAbsoluteUri: true, Length: > 0 } ? record : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
