namespace EdgeTwin.Drivers.Hl7;

using EdgeTwin.Drivers.Hl7.Nomenclature;

/// <summary>What OBX-3 names: a stream (and whether its reference id disagreed with its code), a row of the device hierarchy, or nothing we take, with why.</summary>
internal readonly record struct ObservationMatch(Hl7Stream? Stream, bool ReferenceIdDisagrees, bool IsDescription, string? Problem)
{
    public static ObservationMatch Description { get; } = new(null, false, true, null);

    public static ObservationMatch To(Hl7Stream stream, bool referenceIdDisagrees) => new(stream, referenceIdDisagrees, false, null);

    public static ObservationMatch Refused(string problem) => new(null, false, false, problem);
}
