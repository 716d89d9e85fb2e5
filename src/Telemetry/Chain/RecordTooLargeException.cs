namespace EdgeTwin.Telemetry.Chain;

/// <summary>
/// A record would exceed 64 KiB (PROTOCOL §9). The writer's state is unchanged; split the run
/// (see <see cref="ChainWriter.EstimateObsSize"/>) and append the parts.
/// </summary>
public sealed class RecordTooLargeException : ArgumentException
{
    public RecordTooLargeException()
    {
    }

    public RecordTooLargeException(string message)
        : base(message)
    {
    }

    public RecordTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RecordTooLargeException(int size)
        : base($"record would be {size} bytes, over the {Wire.Limits.MaxRecordBytes}-byte limit of PROTOCOL §9; split the sample run")
    {
        Size = size;
    }

    public int Size { get; }
}
