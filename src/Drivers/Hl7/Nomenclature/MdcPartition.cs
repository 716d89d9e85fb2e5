namespace EdgeTwin.Drivers.Hl7.Nomenclature;

/// <summary>
/// ISO/IEEE 11073-10101 code partitions in use here. A context-free code (what OBX-3 and OBX-6
/// carry) is <c>partition × 65536 + term code</c>.
/// </summary>
internal static class MdcPartition
{
    /// <summary>MDC_PART_OBJ: object infrastructure, including the device hierarchy (MDS, VMD, channel) and attributes.</summary>
    public const int Object = 1;

    /// <summary>MDC_PART_SCADA: medical supervisory control and data acquisition, the physiological measurements.</summary>
    public const int Scada = 2;

    /// <summary>MDC_PART_DIM: dimensions (units of measure).</summary>
    public const int Dimension = 4;

    public const int Size = 65536;

    public static int Code(int partition, int termCode) => (partition * Size) + termCode;

    public static int Of(int code) => code / Size;
}
