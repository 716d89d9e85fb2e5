namespace EdgeTwin.Gateway.Status.Document;

/// <summary>The obs records and samples a lane's chain committed (<c>LaneCounts</c>).</summary>
internal sealed record ChainedStatus(string Epoch, long FromSeq, long ThroughSeq, long ObsRecords, long Samples);
