namespace Gatehouse.Server.Configuration;

[Flags]
public enum ServiceRoles
{
    None = 0,
    Token = 1,
    Authentication = 2,
    UserManagement = 4,
    Admin = 8,
    All = Token | Authentication | UserManagement | Admin,
}

public static class ServiceRoleNames
{
    private static readonly Dictionary<string, ServiceRoles> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["token"] = ServiceRoles.Token,
        ["authentication"] = ServiceRoles.Authentication,
        ["user-management"] = ServiceRoles.UserManagement,
        ["admin"] = ServiceRoles.Admin,
        ["all"] = ServiceRoles.All,
    };

    public static string Valid => "token, authentication, user-management, admin (or all)";

    public static bool TryParse(string value, out ServiceRoles roles, out string unknown)
    {
        roles = ServiceRoles.None;
        unknown = "";
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ByName.TryGetValue(name, out var role))
            {
                unknown = name;
                return false;
            }
            roles |= role;
        }
        return roles != ServiceRoles.None;
    }

    public static string Format(ServiceRoles roles) =>
        string.Join(",", ByName.Where(p => p.Value != ServiceRoles.All && roles.HasFlag(p.Value)).Select(p => p.Key));
}
