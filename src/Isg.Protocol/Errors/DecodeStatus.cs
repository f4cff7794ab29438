namespace Isg.Protocol.Errors;

/// <summary>Outcome of a non-throwing decode of untrusted bytes.</summary>
public enum DecodeStatus
{
    /// <summary>A complete value was decoded.</summary>
    Done,
    /// <summary>The input is a valid prefix; give more bytes.</summary>
    NeedMoreData,
    /// <summary>The input can never become valid; see the <see cref="ProtocolError"/>.</summary>
    Invalid,
}
