namespace Isg.TestKit.Platforms;

/// <summary>A video the fake YouTube holds: what the client sent as metadata, and the uploaded bytes.</summary>
public sealed record FakeYouTubeVideo(string Id, string Title, string Description, string PrivacyStatus, byte[] Bytes);
