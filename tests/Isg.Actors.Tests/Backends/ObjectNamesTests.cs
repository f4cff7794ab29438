using Isg.Actors.Backends;

namespace Isg.Actors.Tests.Backends;

public sealed class ObjectNamesTests
{
    [Theory]
    [InlineData("0123456789abcdef", true)]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true)]
    [InlineData("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", true)]
    [InlineData("0123456789abcde", false)]
    [InlineData("0123456789ABCDEF", false)]
    [InlineData("0123456789abcde-", false)]
    [InlineData("0123456789abcde/", false)]
    [InlineData("0123456789abcdeé", false)]
    [InlineData("", false)]
    public void IsValid_MatchesTheNamePattern(string name, bool valid)
    {
        Assert.Equal(valid, ObjectNames.IsValid(name));
    }

    [Fact]
    public void IsValid_LengthLimits_AreInclusive()
    {
        Assert.True(ObjectNames.IsValid(new string('a', 128)));
        Assert.False(ObjectNames.IsValid(new string('a', 129)));
    }

    [Fact]
    public void ThrowIfInvalid_NamesTheParameter()
    {
        var objectName = "NOPE";

        var error = Assert.Throws<ArgumentException>(() => ObjectNames.ThrowIfInvalid(objectName));

        Assert.Equal("objectName", error.ParamName);
    }
}
