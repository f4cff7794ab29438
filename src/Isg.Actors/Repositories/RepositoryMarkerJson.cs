using System.Text.Json.Serialization;

namespace Isg.Actors.Repositories;

/// <summary>Source-generated JSON for the marker: no reflection at startup, which every CLI command pays.</summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(RepositoryMarker))]
internal sealed partial class RepositoryMarkerJson : JsonSerializerContext;
