using Isg.Actors.Catalog;

namespace Isg.Actors.Tests.Catalog;

/// <summary>A new catalogue in a temporary directory with one open writer; disposing removes them all.</summary>
internal sealed class CatalogFixture : IDisposable
{
    private readonly TempDirectory _directory = new();

    public CatalogFixture()
    {
        Database = CatalogTestData.OpenNew(_directory);
        Writer = Database.CreateWriter();
    }

    public CatalogDatabase Database { get; }

    public CatalogWriter Writer { get; }

    public void Dispose()
    {
        Writer.Dispose();
        Database.Dispose();
        _directory.Dispose();
    }
}
