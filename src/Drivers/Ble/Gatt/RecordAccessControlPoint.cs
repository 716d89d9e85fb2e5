namespace EdgeTwin.Drivers.Ble.Gatt;

/// <summary>
/// Record Access Control Point (0x2A52, Glucose Service 1.0 §3.3; written, answered by indication):
/// the requests the box sends and the Response Code (op code 0x06, operator Null, the request's op
/// code, the response value) the meter answers with once the records it sent have all been notified.
/// </summary>
internal static class RecordAccessControlPoint
{
    public const byte ReportStoredRecords = 0x01;
    public const byte AbortOperation = 0x03;
    public const byte ResponseCode = 0x06;
    public const byte Success = 0x01;
    public const byte NoRecordsFound = 0x06;

    private const byte AllRecords = 0x01;
    private const byte GreaterThanOrEqualTo = 0x03;
    private const byte SequenceNumberFilter = 0x01;

    private static readonly string[] Responses =
    [
        "reserved", "success", "op code not supported", "invalid operator", "operator not supported", "invalid operand",
        "no records found", "abort unsuccessful", "procedure not completed", "operand not supported",
    ];

    public static string Uuid { get; } = BluetoothUuid.From16(0x2A52);

    /// <summary>"Report stored records": all of them when nothing is held yet, else sequence number &gt;= <paramref name="lastHeld"/> + 1.</summary>
    public static byte[] Report(long? lastHeld)
    {
        if (lastHeld is not { } last)
        {
            return [ReportStoredRecords, AllRecords];
        }

        var from = (ushort)Math.Min(last + 1, ushort.MaxValue);
        return [ReportStoredRecords, GreaterThanOrEqualTo, SequenceNumberFilter, (byte)from, (byte)(from >> 8)];
    }

    public static byte[] Abort() => [AbortOperation, 0x00];

    /// <summary>The response value of a Response Code to <paramref name="request"/>, or null with what else the indication is.</summary>
    public static byte? ResponseTo(byte request, ReadOnlySpan<byte> indication, out string? problem)
    {
        problem = null;
        if (indication.Length < 4 || indication[0] != ResponseCode)
        {
            problem = $"not a Response Code: {Convert.ToHexString(indication)}";
            return null;
        }

        if (indication[2] != request)
        {
            problem = $"a response to op code 0x{indication[2]:X2}, not to 0x{request:X2}";
            return null;
        }

        return indication[3];
    }

    public static string Describe(byte response) => response < Responses.Length ? Responses[response] : $"reserved (0x{response:X2})";
}
