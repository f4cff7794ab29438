namespace Isg.Protocol.Errors;

/// <summary>What was wrong with bytes or text that came from outside (a peer, a platform, a file, a user).</summary>
public enum ProtocolErrorKind
{
    /// <summary>The input ended before a complete value.</summary>
    Truncated,
    /// <summary>A magic number or prefix did not match.</summary>
    BadMagic,
    /// <summary>A version this code does not understand.</summary>
    UnsupportedVersion,
    /// <summary>A field holds a value outside its range or an unknown enum member.</summary>
    BadField,
    /// <summary>Text that does not parse (hex, base32, CID).</summary>
    BadText,
    /// <summary>Authentication failed: tampered, corrupt or sealed under another key.</summary>
    AuthenticationFailed,
    /// <summary>Content does not hash to the id it claims.</summary>
    HashMismatch,
    /// <summary>A passphrase did not unwrap the repository key.</summary>
    WrongPassphrase,
    /// <summary>Decompression failed or produced the wrong length.</summary>
    CorruptPayload,
    /// <summary>A length exceeds what the format allows.</summary>
    TooLarge,
    /// <summary>The bytes do not parse as the expected structure: a bad varint, an unparsable protobuf message.</summary>
    Malformed,
    /// <summary>A check character does not match the characters it protects (a typo in a device id).</summary>
    BadCheckCharacter,
    /// <summary>A remote clock reading is further ahead of local physical time than the allowed drift.</summary>
    ClockDrift,
}
