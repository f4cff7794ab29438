namespace Isg.Protocol.Sealing;

/// <summary>The AEAD that seals a block. The numeric values are written in the envelope header.</summary>
public enum CipherId : byte
{
    /// <summary>AES-256-GCM, 12-byte nonce, 16-byte tag (the default: AES-NI makes it the fastest here).</summary>
    Aes256Gcm = 1,
    /// <summary>ChaCha20-Poly1305, 12-byte nonce, 16-byte tag (for machines without AES instructions).</summary>
    ChaCha20Poly1305 = 2,
}
