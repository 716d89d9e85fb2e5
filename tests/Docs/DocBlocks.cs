namespace EdgeTwin.Docs.Tests;

using System.Text.RegularExpressions;

/// <summary>
/// The command blocks of the docs: an HTML comment <c>&lt;!-- docs-test: ID --&gt;</c> on its own line,
/// then an indented code block (four spaces more than the comment); one command a line, a trailing
/// <c># comment</c> kept (the shell ignores it).
/// </summary>
internal static partial class DocBlocks
{
    /// <summary>The files whose blocks are run: README.md, docs/*.md, hardware/*.md, deploy/*/README.md.</summary>
    public static IEnumerable<string> Files =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(Repo.Root, "docs"), "*.md").Concat(Directory.GetFiles(Path.Combine(Repo.Root, "hardware"), "*.md"))
            .Concat(Directory.GetDirectories(Path.Combine(Repo.Root, "deploy")).Select(d => Path.Combine(d, "README.md")).Where(File.Exists))
            .Select(f => Path.GetRelativePath(Repo.Root, f))).Order(StringComparer.Ordinal);

    /// <summary>Every marked block of every file, by id.</summary>
    public static IReadOnlyDictionary<string, (string File, IReadOnlyList<string> Lines)> All()
    {
        var blocks = new Dictionary<string, (string, IReadOnlyList<string>)>(StringComparer.Ordinal);
        foreach (var file in Files)
        {
            var lines = File.ReadAllLines(Path.Combine(Repo.Root, file));
            for (var i = 0; i < lines.Length; i++)
            {
                if (Marker().Match(lines[i]) is not { Success: true } m)
                {
                    continue;
                }

                var indent = new string(' ', m.Groups["indent"].Length + 4);
                // As in Markdown, blank lines inside an indented code block belong to it; trailing ones do not.
                var block = lines.Skip(i + 1).TakeWhile(l => l.StartsWith(indent, StringComparison.Ordinal) || l.Length == 0).Select(l => l.Length == 0 ? l : l[indent.Length..]).ToList();
                while (block.Count > 0 && block[^1].Length == 0)
                {
                    block.RemoveAt(block.Count - 1);
                }

                Assert.True(block.Count > 0, $"{file}:{i + 1}: docs-test '{m.Groups["id"].Value}' is followed by no code block indented by {indent.Length}");
                Assert.True(blocks.TryAdd(m.Groups["id"].Value, (file, block)), $"{file}:{i + 1}: docs-test '{m.Groups["id"].Value}' is marked twice");
            }
        }

        return blocks;
    }

    public static IReadOnlyList<string> Block(string id) =>
        All().TryGetValue(id, out var block) ? block.Lines : throw new Xunit.Sdk.XunitException($"no block marked <!-- docs-test: {id} --> in {string.Join(", ", Files)}");

    [GeneratedRegex("^(?<indent> *)<!-- docs-test: (?<id>[a-z0-9-]+) -->$")]
    private static partial Regex Marker();
}
