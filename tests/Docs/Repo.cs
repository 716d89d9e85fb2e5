namespace EdgeTwin.Docs.Tests;

/// <summary>The checkout and its built binaries (the configuration these tests were built in).</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Configuration => AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string Built(string projectDir, string dll) => Path.Combine(Root, projectDir, "bin", Configuration, "net10.0", dll);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeTwin.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("EdgeTwin.sln not found above " + AppContext.BaseDirectory);
    }
}
