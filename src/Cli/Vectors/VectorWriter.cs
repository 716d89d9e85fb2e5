namespace EdgeTwin.Cli.Vectors;

using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Capture;

/// <summary>Writes the vector captures and manifest.json (LF line ends, UTF-8 without BOM).</summary>
internal static class VectorWriter
{
    /// <summary>The shared reference capture is listed in the manifest too (copied in, never regenerated).</summary>
    public const string ReferenceFile = "etp1-reference.jsonl";

    public static readonly VectorExpectation ReferenceExpect = new(2, 12, 10, 2, 0, 0, 0, 0, 0, 2);

    public static void Write(string directory, IReadOnlyList<VectorFile> files)
    {
        Directory.CreateDirectory(directory);
        foreach (var file in files)
        {
            using var writer = new StreamWriter(Path.Combine(directory, file.Name), false, new UTF8Encoding(false)) { NewLine = "\n" };
            foreach (var (topic, payload) in file.Entries)
            {
                CaptureFile.Write(writer, topic, payload);
            }
        }

        File.WriteAllText(Path.Combine(directory, "manifest.json"), Manifest(files), new UTF8Encoding(false));
        foreach (var (name, payload) in VectorGenerator.Statements())
        {
            File.WriteAllBytes(Path.Combine(directory, name), payload);
        }
    }

    public static string Manifest(IReadOnlyList<VectorFile> files)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartArray();
            foreach (var (name, description, expect) in files.Select(f => (f.Name, f.Description, f.Expect))
                .Prepend((ReferenceFile, "independent ethers.js implementation (shared/vectors)", ReferenceExpect)))
            {
                json.WriteStartObject();
                json.WriteString("file", name);
                json.WriteString("description", description);
                json.WritePropertyName("expect");
                json.WriteStartObject();
                json.WriteNumber("chains", expect.Chains);
                json.WriteNumber("received", expect.Received);
                json.WriteNumber("verified", expect.Verified);
                json.WriteNumber("pending", expect.Pending);
                json.WriteNumber("forks", expect.Forks);
                json.WriteNumber("missing", expect.Missing);
                json.WriteNumber("brokenLinks", expect.BrokenLinks);
                json.WriteNumber("badSigs", expect.BadSigs);
                json.WriteNumber("duplicates", expect.Duplicates);
                json.WriteNumber("gapCovered", expect.GapCovered);
                json.WriteNumber("unsignedBranch", expect.UnsignedBranch);
                if (expect.Rejected != 0)
                {
                    json.WriteNumber("rejected", expect.Rejected);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
