namespace EdgeTwin.Telemetry.Chain;

using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Serialises records of one chain in the fixed member order
/// <c>etp, gw, lane, epoch, seq, prev, ts, clock, kind, body</c> into a reused buffer, then hashes
/// the bytes. The constant head (<c>{"etp":1,"gw":..,"lane":..,"epoch":..,"seq":</c>) is built once.
/// Not thread-safe: one per writer.
/// </summary>
internal sealed class RecordSerializer
{
    private readonly byte[] head;
    private readonly ArrayBufferWriter<byte> buffer = new(1024);
    private readonly Utf8JsonWriter json;

    public RecordSerializer(string gw, Lane lane, string epoch)
    {
        // gw and epoch are validated to [a-z0-9-] and hex, so they need no escaping.
        head = Encoding.UTF8.GetBytes($"{{\"etp\":1,\"gw\":\"{gw}\",\"lane\":\"{WireNames.Of(lane)}\",\"epoch\":\"{epoch}\",\"seq\":");
        json = new Utf8JsonWriter(buffer, EtpJson.WriterOptions);
    }

    /// <summary>Largest envelope around a body: gw of 64 chars, seq of 16 digits, unsynced, longest kind.</summary>
    public const int MaxEnvelopeBytes = 96 + 64 + 9 + 32 + 16 + 64 + EtpTime.Length + 8 + 10;

    public (byte[] Payload, string Hash) Build(long seq, string prev, DateTimeOffset ts, ClockQuality clock, string kind, Action<Utf8JsonWriter> body)
    {
        buffer.ResetWrittenCount();
        Append(head);
        var span = buffer.GetSpan(128);
        seq.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        buffer.Advance(n);
        Append(",\"prev\":\""u8);
        AppendAscii(prev);
        Append("\",\"ts\":\""u8);
        span = buffer.GetSpan(EtpTime.Length);
        buffer.Advance(EtpTime.Format(ts, span));
        Append(clock == ClockQuality.Synced ? "\",\"clock\":\"synced\",\"kind\":\""u8 : "\",\"clock\":\"unsynced\",\"kind\":\""u8);
        AppendAscii(kind);
        Append("\",\"body\":"u8);
        json.Reset(buffer);
        body(json);
        json.Flush();
        Append("}"u8);

        var written = buffer.WrittenSpan;
        if (written.Length > Limits.MaxRecordBytes)
        {
            throw new RecordTooLargeException(written.Length);
        }

        var payload = written.ToArray();
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(payload, hash);
        return (payload, Convert.ToHexStringLower(hash));
    }

    /// <summary>Size of a body alone, for the producers' split decision.</summary>
    public static int MeasureBody(Action<Utf8JsonWriter> body)
    {
        var scratch = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(scratch, EtpJson.WriterOptions);
        body(writer);
        writer.Flush();
        return scratch.WrittenCount;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
    }

    private void AppendAscii(string s)
    {
        var span = buffer.GetSpan(s.Length);
        var n = Encoding.ASCII.GetBytes(s, span);
        buffer.Advance(n);
    }
}
