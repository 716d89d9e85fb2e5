namespace EdgeTwin.Inference.News2;

/// <summary>Clinical risk band of the RCP 2017 chart, ordered by urgency.</summary>
public enum News2RiskBand
{
    /// <summary>Aggregate 0-4 and no single parameter scoring 3.</summary>
    Low,

    /// <summary>Aggregate 0-4 with a red score (3 in one parameter): urgent ward-based response.</summary>
    LowMedium,

    /// <summary>Aggregate 5-6: key threshold for urgent response.</summary>
    Medium,

    /// <summary>Aggregate 7 or more: emergency response.</summary>
    High,
}
