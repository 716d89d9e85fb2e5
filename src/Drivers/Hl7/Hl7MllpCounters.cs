namespace EdgeTwin.Drivers.Hl7;

/// <summary>
/// What the driver has refused or discarded since start, for diagnostics and tests (written by one
/// connection at a time; the refusals of connections, which TLS handshakes beside it also count, atomically).
/// </summary>
internal sealed class Hl7MllpCounters
{
    private long _peersRefused;
    private long _takeoversRefused;
    private long _tlsRefused;

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

    /// <summary>Frames that did not complete within the frame timeout (also counted in <see cref="BrokenFrames"/>).</summary>
    public long FramesTimedOut { get; set; }

    /// <summary>Connections from a peer not in <c>AllowedPeers</c>, closed at once.</summary>
    public long PeersRefused => Interlocked.Read(ref _peersRefused);

    /// <summary>Connections from another peer while the monitor's link lived, closed at once.</summary>
    public long TakeoversRefused => Interlocked.Read(ref _takeoversRefused);

    /// <summary>TLS connections without an acceptable client certificate or handshake.</summary>
    public long TlsRefusals => Interlocked.Read(ref _tlsRefused);

    internal void PeerRefused() => Interlocked.Increment(ref _peersRefused);

    internal void TakeoverRefused() => Interlocked.Increment(ref _takeoversRefused);

    internal void TlsRefused() => Interlocked.Increment(ref _tlsRefused);
}
