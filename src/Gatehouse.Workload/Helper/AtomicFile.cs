namespace Gatehouse.Workload.Helper;

/// <summary>
/// Replaces a file so that a reader sees either the whole old content or the whole new one: the content goes to a
/// temporary file in the same directory (same file system), is flushed to disk with its final mode, and is then
/// renamed over the target (rename(2) is atomic).
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode Public = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead; // 0644
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite; // 0600

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = mode & Private; // never wider than owner-only while the content is being written
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temp, mode); // exact mode, whatever the umask
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
