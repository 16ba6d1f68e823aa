namespace Gatehouse.IntegrationTests.Infrastructure;

/// <summary>Finds the built <c>gatehouse.dll</c> next to this test assembly: <c>&lt;repo&gt;/src/Gatehouse/bin/&lt;Configuration&gt;/net10.0</c>.</summary>
public static class GatehouseBinary
{
    private static readonly Lazy<(string Dll, string RepositoryRoot)> Located = new(Locate);

    public static string Dll => Located.Value.Dll;
    public static string RepositoryRoot => Located.Value.RepositoryRoot;

    /// <summary>The dotnet host that runs this test process (set by the SDK), else the one on PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static (string, string) Locate()
    {
        // <repo>/tests/Gatehouse.IntegrationTests/bin/<Configuration>/<tfm>/Gatehouse.IntegrationTests.dll
        var outputDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = outputDirectory.Parent?.Name ?? "Debug";
        var root = outputDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Gatehouse.slnx")))
            root = root.Parent;
        if (root is null)
            throw new InvalidOperationException($"Gatehouse.slnx not found above {outputDirectory.FullName}.");
        var dll = Path.Combine(root.FullName, "src", "Gatehouse", "bin", configuration, outputDirectory.Name, "gatehouse.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} does not exist. Build the solution (dotnet build Gatehouse.slnx -c {configuration}) first.");
        return (dll, root.FullName);
    }
}
