namespace EdgeTwin.Telemetry.Tests;

/// <summary>
/// The protocol's words have one home (Telemetry's <c>WireNames</c>, <c>RecordKinds</c>, <c>EtpTime</c>):
/// no other project spells a lane name, the ETP/1 timestamp format or the name alphabet itself, so they cannot drift.
/// </summary>
public sealed class WireVocabularyTests
{
    private static readonly string[] Spellings = ["\"telemetry\"", "\"alarm\"", "fffZ", "fff'Z'", "a-z0-9-"];

    [Fact]
    public void NoProjectButTelemetry_SpellsALaneNameTheTimestampFormatOrTheNameAlphabet()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var offenders = Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Path.Combine(src, "Telemetry") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => Spellings.Any(s => l.Text.Contains(s, StringComparison.Ordinal)))
            .Select(l => $"{Path.GetRelativePath(src, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories).Length > 200, "the sources were found");
        Assert.Empty(offenders);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeTwin.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("EdgeTwin.sln not found above " + AppContext.BaseDirectory);
    }
}
