namespace EdgeTwin.Drivers.Hl7.Nomenclature;

/// <summary>
/// A unit an OBX-6 may name, the stream unit (UCUM) it converts to, and how. <see cref="MdcTermCode"/>
/// and <see cref="ReferenceId"/> are its ISO/IEEE 11073-10101 dimension (MDC_PART_DIM) when it has
/// one; <see cref="Spellings"/> are the UCUM code and the plain spellings older feeds use.
/// </summary>
internal sealed record Hl7Unit(string StreamUnit, RateOf Counts, int? MdcTermCode, string? ReferenceId, string[] Spellings, Func<double, double> ToStream)
{
    public int? MdcCode => MdcTermCode is { } term ? MdcPartition.Code(MdcPartition.Dimension, term) : null;

    /// <summary>Whether a value in this unit can be a sample of <paramref name="stream"/>.</summary>
    public bool Fits(Hl7Stream stream) => StreamUnit == stream.Code.Unit && (Counts == RateOf.Nothing || Counts == stream.Counts);

    public override string ToString() => ReferenceId ?? Spellings[0];
}
