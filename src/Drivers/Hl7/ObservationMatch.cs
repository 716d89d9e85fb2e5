namespace EdgeTwin.Drivers.Hl7;

using EdgeTwin.Drivers.Hl7.Nomenclature;

/// <summary>
/// What OBX-3 names: a stream (with the reference id of its code when OBX-3.2 carried another one),
/// a row of the device hierarchy, or nothing we take, with why.
/// </summary>
internal readonly record struct ObservationMatch(Hl7Stream? Stream, string? DisagreeingCodeReferenceId, bool IsDescription, string? Problem)
{
    public static ObservationMatch Description { get; } = new(null, null, true, null);

    public static ObservationMatch To(Hl7Stream stream, string? disagreeingCodeReferenceId = null) => new(stream, disagreeingCodeReferenceId, false, null);

    public static ObservationMatch Refused(string problem) => new(null, null, false, problem);
}
