namespace EdgeTwin.Integration.Tests.Support;

/// <summary>The checkout these tests were built in: the folder above the test binaries that holds EdgeTwin.sln.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeTwin.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("EdgeTwin.sln not found above the test binaries");
    }
}
