namespace EdgeTwin.ModelBuilder;

using Microsoft.ML.Data;
using EdgeTwin.Inference.Model;

/// <summary>One training row: the trend features at the end of a window and whether NEWS2 reaches 5 within the next hour.</summary>
internal sealed class WindowExample
{
    [VectorType(TrendFeatures.Count)]
    [ColumnName("features")]
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }

    [NoColumn]
    public Scenario Scenario { get; set; }

    [NoColumn]
    public int News2Now { get; set; }
}
