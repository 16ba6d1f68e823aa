namespace Gatehouse.Samples.Medical.Portal;

/// <summary>The "Portal" configuration section.</summary>
public sealed class PortalOptions
{
    public const string SectionName = "Portal";

    /// <summary>The Gatehouse issuer; its discovery document gives every endpoint.</summary>
    public string Authority { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";
    /// <summary>Base URL of the Medical API, normally through the phantom-token gateway, e.g. http://127.0.0.1:5001/medical.</summary>
    public string MedicalApi { get; set; } = "";
    public string[] Scopes { get; set; } = ["openid", "profile", "appointments"];
    /// <summary>Only for a loopback http issuer in development.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
