using Isg.Actors.Catalog;

namespace Isg.Actors.Tests.Catalog;

public sealed class CatalogMigrationsTests
{
    [Fact]
    public void All_VersionsAreOneToNInOrder()
    {
        var versions = CatalogMigrations.All.Select(m => m.Version).ToList();

        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
        Assert.Equal(versions[^1], CatalogMigrations.LatestVersion);
        Assert.All(CatalogMigrations.All, m => Assert.False(string.IsNullOrWhiteSpace(m.Name)));
    }

    [Fact]
    public void ApplicationId_SpellsIsg1()
    {
        Assert.Equal("ISG1"u8.ToArray(), BitConverter.GetBytes(CatalogMigrations.ApplicationId).Reverse().ToArray());
    }
}
