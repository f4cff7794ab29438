namespace Isg.Actors.Backends;

/// <summary>
/// One option a backend type takes when added (`isg backend add TYPE NAME --NAME VALUE`): its kebab-case
/// <paramref name="Name"/>, a one-line <paramref name="Description"/>, whether it is <paramref name="Secret"/> (stored
/// sealed in <see cref="Catalog.BackendRecord.Secrets"/>, never in the settings JSON or any output) and whether it is
/// <paramref name="Required"/>; <paramref name="Default"/> is used when it is not given.
/// </summary>
public sealed record BackendSetting(string Name, string Description, bool Secret = false, bool Required = false, string? Default = null);
