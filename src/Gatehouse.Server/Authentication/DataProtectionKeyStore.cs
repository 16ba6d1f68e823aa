using System.Text;
using System.Xml.Linq;
using Gatehouse.Server.Keys;
using Gatehouse.Server.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Authentication;

/// <summary>
/// Keeps ASP.NET Core's Data Protection keys in the Gatehouse store instead of each machine's home directory: a login
/// form served by one replica must be accepted by the next (antiforgery), and so must the second-factor cookie.
/// The key XML is encrypted with the configured encryption key (AES-256-GCM, <see cref="KeyProtector"/>).
/// </summary>
public static class DataProtectionKeyStore
{
    private const string AssociatedData = "data-protection-key";

    public static IServiceCollection AddGatehouseDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("gatehouse");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new StoreXmlRepository(sp.GetRequiredService<IDbContextFactory<GatehouseDbContext>>());
            o.XmlEncryptor = new Encryptor(sp.GetRequiredService<KeyProtector>());
        }));
        return services;
    }

    private sealed class StoreXmlRepository(IDbContextFactory<GatehouseDbContext> contexts) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements()
        {
            using var db = contexts.CreateDbContext();
            return db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToList().Select(x => XElement.Parse(x)).ToList();
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            using var db = contexts.CreateDbContext();
            db.DataProtectionKeys.Add(new DataProtectionKeyRecord
            {
                FriendlyName = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString() : friendlyName,
                Xml = element.ToString(SaveOptions.DisableFormatting),
            });
            db.SaveChanges();
        }
    }

    private sealed class Encryptor(KeyProtector protector) : IXmlEncryptor
    {
        public EncryptedXmlInfo Encrypt(XElement plaintextElement)
        {
            var ciphertext = protector.Protect(Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)), AssociatedData);
            return new EncryptedXmlInfo(new XElement("encryptedKey", Convert.ToBase64String(ciphertext)), typeof(Decryptor));
        }
    }

    /// <summary>Created by Data Protection's activator, which passes the service provider.</summary>
    private sealed class Decryptor(IServiceProvider services) : IXmlDecryptor
    {
        public XElement Decrypt(XElement encryptedElement) =>
            XElement.Parse(Encoding.UTF8.GetString(services.GetRequiredService<KeyProtector>().Unprotect(Convert.FromBase64String(encryptedElement.Value), AssociatedData)));
    }
}
