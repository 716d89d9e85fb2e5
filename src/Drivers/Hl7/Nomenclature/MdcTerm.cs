namespace EdgeTwin.Drivers.Hl7.Nomenclature;

/// <summary>
/// One ISO/IEEE 11073-10101 term as the standard's table lists it: partition, term code and
/// reference id, and the stream it becomes here (null: known, deliberately not mapped, see
/// <see cref="NotMapped"/>).
/// </summary>
internal sealed record MdcTerm(int Partition, int TermCode, string ReferenceId, Hl7Stream? Stream, string? NotMapped = null)
{
    /// <summary>The context-free code, as OBX-3.1 carries it.</summary>
    public int Code => MdcPartition.Code(Partition, TermCode);
}
