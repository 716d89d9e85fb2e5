namespace EdgeTwin.Drivers.Hl7;

/// <summary>What the driver has refused or discarded since start, for diagnostics and tests (written by one connection at a time).</summary>
internal sealed class Hl7MllpCounters
{
    public long MessagesAccepted { get; set; }

    public long Duplicates { get; set; }

    public long MessagesInError { get; set; }

    public long MessagesRejected { get; set; }

    public long ObservationsSkipped { get; set; }

    public long ObservationsImplausible { get; set; }

    /// <summary>OBX taken although the reference id in OBX-3.2 or OBX-6.2 was not its code's (the code decided).</summary>
    public long ReferenceIdDisagreements { get; set; }

    /// <summary>Rows of the device hierarchy (MDS, VMD, channel, attribute codes): no observations, not counted as skipped.</summary>
    public long DescriptionRows { get; set; }

    public long GarbageBytes { get; set; }

    public long BrokenFrames { get; set; }

    public long OversizeFrames { get; set; }

    public long ConnectionsReplaced { get; set; }
}
