namespace EdgeTwin.Ingest.AlarmsOut;

/// <summary>An ISO/IEEE 11073-10101 term: context-free code (partition × 65536 + term code) and reference id.</summary>
internal sealed record AcmTerm(int Partition, int TermCode, string ReferenceId)
{
    public int Code => (Partition * 65536) + TermCode;

    /// <summary>CWE/CE as OBX-3 and OBX-6 carry it: <c>code^reference id^MDC</c>.</summary>
    public string Coded(char component) => $"{Code}{component}{ReferenceId}{component}MDC";
}
