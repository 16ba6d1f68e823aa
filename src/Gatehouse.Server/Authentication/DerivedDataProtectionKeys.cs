using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// The data protection key ring of the authentication pages (antiforgery tokens, the second-factor cookie, TOTP
/// enrolment), derived from <c>Keys:EncryptionKey</c> with HKDF. Every replica with the same configuration has the
/// same key, so a form served by one process can be posted to another, and no key is written anywhere (the default
/// would store it unencrypted under the home directory). What it protects lives for minutes, so it need not rotate;
/// changing the encryption key replaces it.
/// </summary>
public sealed class DerivedDataProtectionKeys(byte[] encryptionKey) : IXmlRepository
{
    private static readonly DateTimeOffset Activation = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void AddTo(IServiceCollection services, byte[] encryptionKey)
    {
        services.AddDataProtection().SetApplicationName("Gatehouse").DisableAutomaticKeyGeneration();
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new DerivedDataProtectionKeys(encryptionKey));
    }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var material = HKDF.DeriveKey(HashAlgorithmName.SHA256, encryptionKey, 64 + 16, salt: [], info: Encoding.ASCII.GetBytes("Gatehouse data protection"));
        // AES-256-CBC with HMAC-SHA256, the default algorithms, under a 512-bit master key.
        var descriptor = new AuthenticatedEncryptorDescriptor(new AuthenticatedEncryptorConfiguration(), new Secret(material[..64])).ExportToXml();
        return
        [
            new XElement("key",
                new XAttribute("id", new Guid(material[64..])),
                new XAttribute("version", 1),
                new XElement("creationDate", Activation),
                new XElement("activationDate", Activation),
                new XElement("expirationDate", DateTimeOffset.MaxValue.AddYears(-1)),
                new XElement("descriptor",
                    new XAttribute("deserializerType", descriptor.DeserializerType.AssemblyQualifiedName!),
                    descriptor.SerializedDescriptorElement)),
        ];
    }

    /// <summary>Never called: automatic key generation is off, and the key is derived, not stored.</summary>
    public void StoreElement(XElement element, string friendlyName) =>
        throw new NotSupportedException("The data protection key is derived from Keys:EncryptionKey and never stored.");
}
