using System.Security.Cryptography;
using System.Text;

namespace Gatehouse.Server.Keys;

/// <summary>
/// Encrypts private signing keys at rest with AES-256-GCM under the configured encryption key.
/// The kid is bound as associated data, so a ciphertext moved to another row does not decrypt.
/// Layout: 12-byte nonce | 16-byte tag | ciphertext.
/// </summary>
public sealed class KeyProtector(byte[] encryptionKey)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static KeyProtector FromBase64(string encryptionKey) => new(Convert.FromBase64String(encryptionKey.Trim()));

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string kid)
    {
        var output = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(encryptionKey, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(kid));
        return output;
    }

    /// <exception cref="CryptographicException">The key is wrong or the data was altered.</exception>
    public byte[] Unprotect(ReadOnlySpan<byte> protectedData, string kid)
    {
        if (protectedData.Length < NonceSize + TagSize)
            throw new CryptographicException("The protected key is truncated.");
        var plaintext = new byte[protectedData.Length - NonceSize - TagSize];
        using var aes = new AesGcm(encryptionKey, TagSize);
        aes.Decrypt(protectedData[..NonceSize], protectedData[(NonceSize + TagSize)..], protectedData.Slice(NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(kid));
        return plaintext;
    }
}
