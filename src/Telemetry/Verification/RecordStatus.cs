namespace EdgeTwin.Telemetry.Verification;

/// <summary>What <see cref="StreamVerifier.Add"/> made of one payload.</summary>
public enum RecordStatus
{
    /// <summary>First time this record (seq, hash) was seen; accepted.</summary>
    New,

    /// <summary>Same seq, same hash as a record already seen: a QoS 1 repeat, harmless.</summary>
    Duplicate,

    /// <summary>Same seq as a record a valid checkpoint already covers, different hash: tamper or a second writer on one chain.</summary>
    Fork,

    /// <summary>
    /// Same seq as a record no valid checkpoint covers yet, different hash: held side by side with it;
    /// the next valid checkpoint decides which one is the gateway's (the other becomes an unsigned branch record).
    /// </summary>
    Alternative,

    /// <summary>Not accepted; <see cref="RecordOutcome.Problem"/> names why. Nothing was changed.</summary>
    Rejected,
}
