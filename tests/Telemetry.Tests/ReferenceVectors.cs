namespace EdgeTwin.Telemetry.Tests;

using System.Text;
using System.Text.Json;

/// <summary>Reads tests/vectors/etp1-reference.jsonl (from the independent ethers.js implementation).</summary>
internal static class ReferenceVectors
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "vectors", file);

    public static IReadOnlyList<(string Topic, byte[] Payload)> Load(string file = "etp1-reference.jsonl")
    {
        var list = new List<(string, byte[])>();
        foreach (var line in File.ReadLines(PathOf(file)))
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            list.Add((doc.RootElement.GetProperty("topic").GetString()!, Convert.FromBase64String(doc.RootElement.GetProperty("b64").GetString()!)));
        }

        return list;
    }

    public static string Text(byte[] payload) => Encoding.UTF8.GetString(payload);
}
