using Microsoft.Extensions.Configuration;

namespace Gatehouse.Cli;

/// <summary>
/// Builds the configuration the way every command sees it: quiet logging defaults, then the JSON file,
/// then environment variables (Gatehouse__Keys__EncryptionKey, ...), then what the command line sets.
/// </summary>
internal static class ConfigurationLoader
{
    private static readonly Dictionary<string, string?> LoggingDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
    };

    public static void Apply(IConfigurationBuilder builder, string? jsonFile, IDictionary<string, string?> overrides)
    {
        builder.Sources.Clear();
        builder.AddInMemoryCollection(LoggingDefaults);
        if (jsonFile is not null)
        {
            var path = Path.GetFullPath(jsonFile);
            if (!File.Exists(path))
                throw new FileNotFoundException($"Configuration file not found: {path}", path);
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables();
        builder.AddInMemoryCollection(overrides);
    }

    public static IConfigurationRoot Build(string? jsonFile, IDictionary<string, string?> overrides)
    {
        var builder = new ConfigurationBuilder();
        Apply(builder, jsonFile, overrides);
        return builder.Build();
    }
}
