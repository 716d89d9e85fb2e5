namespace EdgeTwin.ModelBuilder;

/// <summary>ML.NET's own prediction, to check the exported graph against.</summary>
internal sealed class ScoredRow
{
    public float Probability { get; set; }
}
