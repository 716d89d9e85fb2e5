namespace EdgeTwin.Outbox.Tests;

using System.Text.RegularExpressions;

/// <summary>The outbox is a library of its own: the gateway and the CLI use it, it uses neither.</summary>
public sealed partial class ArchitectureTests
{
    [Fact]
    public void Outbox_ReferencesTelemetryAndLiteDbButNoHostProject()
    {
        var references = typeof(OutboxStore).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("LiteDB", references);
        Assert.Contains("EdgeTwin.Telemetry", references);
        Assert.DoesNotContain(references, name => name is "EdgeTwin.Gateway" or "EdgeTwin.Ingest" or "edgetwin" or "EdgeTwin.Drivers" or "EdgeTwin.Inference");
    }

    /// <summary>
    /// LiteDB's <c>Query.EQ/Between/GT/...</c> and an expression text built from a value write the value
    /// into the text, and LiteDB compiles and keeps a delegate for every text it has not seen, for the
    /// life of the process (<see cref="LiteDbQuery"/>). Nothing in src may build one: the predicates
    /// come from <see cref="LiteDbQuery"/>, which gives the values as parameters.
    /// </summary>
    [Fact]
    public void Src_BuildsNoLiteDbExpressionWithAValueInItsText()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var found = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, i)))
            .Where(l => !l.line.TrimStart().StartsWith("///", StringComparison.Ordinal))
            .Where(l => ValueInText().IsMatch(l.line)
                || (InterpolatedExpression().IsMatch(l.line) && Path.GetFileName(l.path) != nameof(LiteDbQuery) + ".cs"))
            .Select(l => $"{Path.GetRelativePath(src, l.path)}:{l.i + 1}: {l.line.Trim()}")
            .ToList();

        Assert.True(Directory.EnumerateFiles(src, "OutboxStore.cs", SearchOption.AllDirectories).Any(), $"no sources under {src}");
        Assert.Empty(found);
    }

    [Theory]
    [InlineData("_records.Find(Query.Between(\"_id\", Key(lane, 0), Key(lane, through)), 0, 1)")]
    [InlineData("col.Find(LiteDB.Query.EQ(\"collection\", name))")]
    [InlineData("Query.GTE(\"seq\", 5)")]
    [InlineData("col.Find(BsonExpression.Create($\"_id = {id}\"))")]
    [InlineData("col.Find(BsonExpression.Create(\"_id = \" + id))")]
    public void Src_BuildsNoLiteDbExpressionWithAValueInItsText_RecognisesEachForm(string line) =>
        Assert.True(ValueInText().IsMatch(line) || InterpolatedExpression().IsMatch(line), line);

    [Theory]
    [InlineData("_records.Find(LiteDbQuery.Between(\"_id\", Key(lane, 0), Key(lane, through)), 0, 1)")]
    [InlineData("col.Find(Query.All(Query.Descending), limit: 1)")]
    [InlineData("private static readonly BsonExpression IdOnly = BsonExpression.Create(\"$._id\");")]
    public void Src_BuildsNoLiteDbExpressionWithAValueInItsText_PassesTheParameterisedForms(string line) =>
        Assert.False(ValueInText().IsMatch(line) || InterpolatedExpression().IsMatch(line), line);

    [GeneratedRegex(@"(?<!\w)Query\.(EQ|Between|GT|GTE|LT|LTE|In|Not|StartsWith|Contains|Where|And|Or)\s*\(")]
    private static partial Regex ValueInText();

    [GeneratedRegex(@"BsonExpression\.Create\(\s*(\$""|""[^""]*""\s*\+)")]
    private static partial Regex InterpolatedExpression();

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeTwin.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"no EdgeTwin.sln above {AppContext.BaseDirectory}");
    }
}
