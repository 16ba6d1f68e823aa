using System.CommandLine;

namespace Gatehouse.Cli;

/// <summary>Options shared by several commands, declared once so their names and help read the same everywhere.</summary>
internal static class CliOptions
{
    public static Option<FileInfo> Config() => new("--config", "-c")
    {
        Description = "JSON configuration file with a 'Gatehouse' section (environment variables such as Gatehouse__Issuer override it).",
        Required = true,
    };

    public static Option<string> Urls(string defaultUrl) => new("--urls")
    {
        Description = "Semicolon-separated URLs to listen on.",
        DefaultValueFactory = _ => defaultUrl,
    };
}
