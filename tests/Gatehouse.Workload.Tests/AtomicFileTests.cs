using Gatehouse.Workload.Helper;

namespace Gatehouse.Workload.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(AtomicFile.Public)]
    [InlineData(AtomicFile.Private)]
    public void Write_New_ExactModeAndContent(UnixFileMode mode)
    {
        var path = Path.Combine(_directory, "f.pem");

        AtomicFile.Write(path, "hello"u8, mode);

        Assert.Equal("hello", File.ReadAllText(path));
        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Write_Existing_ReplacesInodeAndTightensMode()
    {
        var path = Path.Combine(_directory, "key.pem");
        File.WriteAllText(path, "old old old old");
        File.SetUnixFileMode(path, AtomicFile.Public);

        AtomicFile.Write(path, "new"u8, AtomicFile.Private);

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(AtomicFile.Private, File.GetUnixFileMode(path));
        Assert.Equal(["key.pem"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_HeldOpenByReader_ReaderKeepsOldContent()
    {
        var path = Path.Combine(_directory, "svid.pem");
        AtomicFile.Write(path, "first"u8, AtomicFile.Public);
        using var reader = new StreamReader(path);

        AtomicFile.Write(path, "second"u8, AtomicFile.Public);

        Assert.Equal("first", reader.ReadToEnd()); // the old inode, whole
        Assert.Equal("second", File.ReadAllText(path));
    }

    [Fact]
    public void Write_MissingDirectory_ThrowsAndLeavesNothing()
    {
        var path = Path.Combine(_directory, "nope", "f.pem");

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, "x"u8, AtomicFile.Public));
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }
}
