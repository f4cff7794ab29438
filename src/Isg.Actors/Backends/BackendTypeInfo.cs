namespace Isg.Actors.Backends;

/// <summary>
/// A backend type as `isg backend add` offers it: its <paramref name="Type"/> name (what <see cref="BackendFactory"/>
/// opens), a one-line <paramref name="Description"/> and the <paramref name="Settings"/> it takes. Non-secret values are
/// stored in the record's settings JSON under their names; secret ones in its sealed secrets.
/// </summary>
public sealed record BackendTypeInfo(string Type, string Description, IReadOnlyList<BackendSetting> Settings)
{
    /// <summary>The setting called <paramref name="name"/>, or null.</summary>
    public BackendSetting? Find(string name) => Settings.FirstOrDefault(s => s.Name == name);
}
