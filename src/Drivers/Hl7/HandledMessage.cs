namespace EdgeTwin.Drivers.Hl7;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Hl7v2;

/// <summary>The outcome of one received message: the ACK to send, the samples to emit, and what to log and count.</summary>
internal sealed record HandledMessage(
    AckCode Code,
    string Ack,
    string ControlId,
    IReadOnlyList<Sample> Samples,
    IReadOnlyList<SkippedObservation> Skipped,
    int Implausible,
    bool Duplicate,
    string? Problem,
    int DescriptionRows = 0,
    IReadOnlyList<ReferenceIdDisagreement>? Disagreements = null);
