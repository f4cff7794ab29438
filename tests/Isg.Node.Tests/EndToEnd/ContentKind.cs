namespace Isg.Node.Tests.EndToEnd;

/// <summary>What a generated file holds.</summary>
public enum ContentKind
{
    /// <summary>Pseudo-random bytes: incompressible, every chunk unique.</summary>
    Random,
    /// <summary>Word-like text: compresses well.</summary>
    Text,
}
