namespace EdgeTwin.Inference.Model;

using System.ComponentModel.DataAnnotations;
using EdgeTwin.Drivers.Configuration;

/// <summary>Which model the gateway runs and what it must look like; the defaults name the shipped model.</summary>
public sealed class ModelOptions
{
    /// <summary>False runs rules only, on purpose (no technical alarm).</summary>
    public bool Enabled { get; set; } = true;

    [Required]
    public string Id { get; set; } = ShippedModel.Id;

    public string Version { get; set; } = ShippedModel.Version;

    /// <summary>ONNX file; a relative path is taken from the application's base directory.</summary>
    [Required]
    public string Path { get; set; } = ShippedModel.RelativePath;

    /// <summary>Lowercase or uppercase hex SHA-256 of the file; a model that does not match is not run.</summary>
    [Required]
    [RegularExpression("^[0-9a-fA-F]{64}$")]
    public string Sha256 { get; set; } = ShippedModel.Sha256;

    [Required]
    public string InputName { get; set; } = ShippedModel.InputName;

    [Required]
    public string OutputName { get; set; } = ShippedModel.OutputName;

    /// <summary>How often <see cref="InferenceEngine"/> runs the model per patient; trends move in minutes.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan PredictEvery { get; set; } = TimeSpan.FromSeconds(60);

    internal string ResolvedPath => System.IO.Path.IsPathRooted(Path) ? Path : System.IO.Path.Combine(AppContext.BaseDirectory, Path);
}
