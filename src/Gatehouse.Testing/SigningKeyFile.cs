namespace Gatehouse.Testing;

/// <summary>A signing key kept in a PKCS#8 PEM file, for minting tokens by hand (<c>gatehouse token mint</c>).</summary>
public static class SigningKeyFile
{
    /// <summary>Loads the key in <paramref name="path"/>, or creates an ES256 key there (mode 600) when the file does not exist.</summary>
    public static MockSigningKey LoadOrCreate(string path, out bool created)
    {
        if (File.Exists(path))
        {
            created = false;
            return MockSigningKey.FromPem(File.ReadAllText(path));
        }
        var key = MockSigningKey.Create();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
            Directory.CreateDirectory(directory);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            using var writer = new StreamWriter(stream);
            writer.Write(key.ExportPem());
        }
        created = true;
        return key;
    }
}
