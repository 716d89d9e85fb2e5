namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using EdgeTwin.Cli.Vectors;

/// <summary><c>vectors --out DIR</c>: regenerates the deterministic test vectors and manifest.json.</summary>
internal static class VectorsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "directory for the capture files and manifest.json", Required = true };
        var command = new Command("vectors", "write the ETP/1 test vectors (TEST KEYS ONLY)") { output };
        command.SetAction(parse =>
        {
            var dir = parse.GetRequiredValue(output).FullName;
            try
            {
                var files = VectorGenerator.Generate();
                VectorWriter.Write(dir, files);
                stdout.WriteLine($"wrote {files.Count} vector files and manifest.json to {dir}");
                return CliApp.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"edgetwin vectors: {e.Message}");
                return CliApp.Usage;
            }
        });
        return command;
    }
}
