namespace EdgeTwin.Inference.News2;

/// <summary>Why a NEWS2 parameter could not be scored.</summary>
public enum MissingReason
{
    /// <summary>No sample of the stream has been seen for this patient.</summary>
    NoData,

    /// <summary>The latest sample is invalid (null, sensor off, artefact) or outside the plausible range.</summary>
    Invalid,

    /// <summary>The latest valid sample is older than the configured maximum age.</summary>
    Stale,
}
