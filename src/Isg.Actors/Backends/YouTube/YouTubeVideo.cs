namespace Isg.Actors.Backends.YouTube;

/// <summary>A video as videos.list describes it: id, snippet title and description, status privacy and upload status.</summary>
public sealed record YouTubeVideo(string Id, string Title, string Description, string? PrivacyStatus, string? UploadStatus);
