namespace EdgeTwin.ModelBuilder;

using Microsoft.ML.Data;
using EdgeTwin.Inference.Model;

/// <summary>The schema the ONNX graph is exported with: features only, so the label is no model input.</summary>
internal sealed class ModelInput
{
    [VectorType(TrendFeatures.Count)]
    [ColumnName("features")]
    public float[] Features { get; set; } = [];
}
