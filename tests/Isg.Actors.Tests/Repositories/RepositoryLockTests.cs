using Isg.Actors.Repositories;

namespace Isg.Actors.Tests.Repositories;

public sealed class RepositoryLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ForAdding_Twice_BothHold()
    {
        var layout = new RepositoryLayout(_dir.Path);

        using var first = RepositoryLock.ForAdding(layout);
        using var second = RepositoryLock.ForAdding(layout);

        Assert.True(File.Exists(layout.LockFile));
    }

    [Fact]
    public void ForRemoving_WhileAnAddHolds_IsBusyUntilReleased()
    {
        var layout = new RepositoryLayout(_dir.Path);
        var adding = RepositoryLock.ForAdding(layout);

        var busy = Assert.Throws<RepositoryException>(() => RepositoryLock.ForRemoving(layout));
        Assert.Equal(RepositoryErrorKind.Busy, busy.Kind);
        Assert.Contains("add is running", busy.Message, StringComparison.Ordinal);

        adding.Dispose();
        using var removing = RepositoryLock.ForRemoving(layout);
        var blocked = Assert.Throws<RepositoryException>(() => RepositoryLock.ForAdding(layout));
        Assert.Equal(RepositoryErrorKind.Busy, blocked.Kind);
    }
}
