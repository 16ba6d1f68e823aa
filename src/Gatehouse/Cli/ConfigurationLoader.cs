using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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

    /// <summary>
    /// A web host for one component (server, gateway, sample API) with exactly this configuration, on <paramref name="urls"/>
    /// (null: the caller sets up Kestrel's endpoints itself, e.g. for mTLS).
    /// Configuration is read once at start: without reloadConfigOnChange=false the default appsettings.json source
    /// watches the content root with inotify, and every write of a SQLite store kept there (./data) would wake a thread.
    /// </summary>
    public static WebApplicationBuilder CreateHostBuilder(string? jsonFile, IDictionary<string, string?> overrides, string? urls)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        Apply(builder.Configuration, jsonFile, overrides);
        if (urls is not null)
            builder.WebHost.UseUrls(urls);
        return builder;
    }

    public static IConfigurationRoot Build(string? jsonFile, IDictionary<string, string?> overrides)
    {
        var builder = new ConfigurationBuilder();
        Apply(builder, jsonFile, overrides);
        return builder.Build();
    }
}
