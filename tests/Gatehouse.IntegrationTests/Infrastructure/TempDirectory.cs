namespace Gatehouse.IntegrationTests.Infrastructure;

/// <summary>A fresh directory under the system temp directory, deleted on dispose (best effort).</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "gatehouse-it-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
