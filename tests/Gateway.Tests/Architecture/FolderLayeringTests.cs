namespace EdgeTwin.Gateway.Tests.Architecture;

using System.Text.RegularExpressions;

/// <summary>
/// The gateway's folders form layers (docs/architecture.md): no two folders depend on each other,
/// directly or round a cycle, and only the composition root (Hosting) knows them all. A dependency
/// is a <c>using EdgeTwin.Gateway.X</c> or a name qualified with it in a file of another folder.
/// </summary>
public sealed partial class FolderLayeringTests
{
    private static readonly Lazy<Dictionary<string, Dictionary<string, List<string>>>> Graph = new(Build);

    [Fact]
    public void GatewayFolders_HaveNoCycles()
    {
        var graph = Graph.Value;
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).Select(c => Describe(graph, c)).ToList();

        Assert.True(graph.Count >= 10, $"only {graph.Count} folders found");
        Assert.True(cycles.Count == 0, "folder cycles:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void OnlyTheCompositionRoot_DependsOnHosting_AndNoWiringGrabBag()
    {
        var graph = Graph.Value;
        var users = graph.Where(n => n.Key != "Hosting" && n.Value.ContainsKey("Hosting")).Select(n => $"{n.Key}: {string.Join(", ", n.Value["Hosting"])}").ToList();

        Assert.Empty(users);
        Assert.False(Directory.Exists(Path.Combine(GatewaySources(), "Twin", "Wiring")), "Twin/Wiring is dissolved into the folders its parts belong to");
    }

    private static Dictionary<string, Dictionary<string, List<string>>> Build()
    {
        var root = GatewaySources();
        var graph = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            if (NamespaceLine().Match(text) is not { Success: true } ns)
            {
                continue; // Program.cs: top-level statements, the entry point
            }

            var from = Folder(ns.Groups[1].Value);
            var edges = graph.TryGetValue(from, out var e) ? e : graph[from] = new(StringComparer.Ordinal);
            foreach (var to in Reference().Matches(text).Select(m => Folder(m.Groups[1].Value)).Where(to => to != from).Distinct())
            {
                (edges.TryGetValue(to, out var files) ? files : edges[to] = []).Add(Path.GetFileName(file));
            }
        }

        return graph;
    }

    /// <summary>The top folder of a namespace below EdgeTwin.Gateway (Twin.Desired is part of Twin).</summary>
    private static string Folder(string ns) => ns.Split('.')[0];

    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, List<string>>> graph)
    {
        // Tarjan's algorithm over the folders.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in graph.TryGetValue(v, out var edges) ? edges.Keys.ToList() : [])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (stack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    component.Add(w);
                }
                while (w != v);
                result.Add(component);
            }
        }

        foreach (var v in graph.Keys.Order(StringComparer.Ordinal).ToList())
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }

    private static string Describe(Dictionary<string, Dictionary<string, List<string>>> graph, List<string> component) =>
        string.Join("; ", component.SelectMany(a => graph[a].Where(e => component.Contains(e.Key)).Select(e => $"{a} -> {e.Key} ({string.Join(", ", e.Value)})")));

    private static string GatewaySources()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeTwin.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("EdgeTwin.sln not found above the test binaries"), "src", "Gateway");
    }

    [GeneratedRegex(@"^namespace EdgeTwin\.Gateway\.([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"\bEdgeTwin\.Gateway\.([A-Z]\w*(?:\.[A-Z]\w*)*)")]
    private static partial Regex Reference();
}
