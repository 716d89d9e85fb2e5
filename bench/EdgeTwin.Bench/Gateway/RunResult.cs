namespace EdgeTwin.Bench.Gateway;

/// <summary>What one <c>gateway-footprint</c> run measured; rates are null when the window was not measured.</summary>
internal sealed class RunResult
{
    public TimeSpan? FirstPublish { get; set; }

    public bool Exited { get; set; }

    public long RssKb { get; set; }

    public long PeakKb { get; set; }

    public long AnonKb { get; set; }

    public long FileKb { get; set; }

    public long ShmemKb { get; set; }

    public long TotalMajorFaults { get; set; }

    public string? Window { get; set; }

    public double? PublishedPerSecond { get; set; }

    public double? SamplesPerSecond { get; set; }

    public double? MajorFaultsPerSecond { get; set; }

    public GroupReading? Group { get; set; }

    public long OomKills { get; set; }

    public IReadOnlyList<(string Name, long Kb)> Mappings { get; set; } = [];
}
