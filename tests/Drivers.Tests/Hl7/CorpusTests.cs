namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Globalization;
using System.Net;
using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Hl7v2;
using Microsoft.Extensions.Time.Testing;

/// <summary>
/// Every message of the vendor-shaped corpus (Hl7/Corpus) gives exactly the streams, values and
/// times written below by hand from the message text, and skips exactly the OBX named, with why.
/// </summary>
public class CorpusTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 7, 1, 10, 0, 7, TimeSpan.Zero));

    /// <param name="Samples">stream, value (null: invalid), UTC time of day on 2026-07-01, in message order.</param>
    /// <param name="Skipped">OBX set id and a fragment of the reason.</param>
    private sealed record Expected(
        (string Stream, double? Value, string At)[] Samples,
        (int SetId, string Reason)[] Skipped,
        int Disagreements = 0,
        int DescriptionRows = 0,
        int Implausible = 0);

    private static readonly Dictionary<string, Expected> Corpus = new(StringComparer.Ordinal)
    {
        // IHE PCD-01 v2.6 bedside monitor: MDC codes and MDC_DIM units, ECG and oximeter and cuff, perfusion index not ours.
        ["pcd01-v26-bedside-monitor"] = new(
            [
                ("loinc:8867-4", 72, "10:00:05"), ("loinc:9279-1", 16, "10:00:05"), ("loinc:59408-5", 97, "10:00:05"), ("loinc:8889-8", 71, "10:00:05"),
                ("loinc:8480-6", 118, "09:59:02"), ("loinc:8462-4", 76, "09:59:02"), ("loinc:8478-0", 90, "09:59:02"), ("loinc:76477-9", 74, "09:59:02"),
                ("loinc:8310-5", 36.9, "10:00:05"),
            ],
            [(5, "MDC code 150448 not mapped")]),

        // An older v2.3.1 central station: 99MDC, plain units (bpm, %, rpm, mmHg, F), local times without offset, an ST alarm text.
        ["v231-plain-units"] = new(
            [
                ("loinc:8867-4", 88, "10:00:05"), ("loinc:59408-5", 93, "10:00:05"), ("loinc:9279-1", 22, "10:00:05"),
                ("loinc:8480-6", 104, "09:58:00"), ("loinc:8462-4", 62, "09:58:00"), ("loinc:8310-5", 38.0, "10:00:05"),
            ],
            [(7, "MDC code 0 not mapped")]),

        // A vendor gateway that sends the device hierarchy: MDS, VMD and channel rows around the metrics, generic NIBP codes.
        ["vendor-gateway-hierarchy"] = new(
            [
                ("loinc:8867-4", 104, "10:00:05"), ("loinc:59408-5", 95, "10:00:05"), ("loinc:8889-8", 103, "10:00:05"),
                ("loinc:8480-6", 132, "09:55:00"), ("loinc:8462-4", 81, "09:55:00"), ("loinc:8478-0", 98, "09:55:00"),
            ],
            [],
            DescriptionRows: 6),

        // Two oximeter channels (1.3.1 and 1.3.2), channel 2 first in the message: channel 1 is kept for SpO2 and pulse rate.
        ["two-spo2-channels"] = new(
            [("loinc:59408-5", 97, "10:00:05"), ("loinc:8889-8", 148, "10:00:05"), ("loinc:8867-4", 147, "10:00:05")],
            [(1, "channel 1.3.2.150456 not used, channel 1.3.1.150456 (OBX 3) is the primary"), (2, "channel 1.3.2.149530 not used, channel 1.3.1.149530 (OBX 4) is the primary")]),

        // Reference ids that disagree: same quantity (taken, counted), another quantity (refused), a code typed wrong (refused).
        ["disagreeing-reference-ids"] = new(
            [
                ("loinc:8480-6", 141, "10:00:01"), ("loinc:8462-4", 88, "10:00:01"), ("loinc:8478-0", 106, "10:00:01"),
                ("loinc:8310-5", 37.8, "10:00:03"), ("loinc:59408-5", 94, "10:00:05"),
            ],
            [(6, "is MDC_ECG_HEART_RATE but OBX-3.2 names MDC_PULS_OXIM_PULS_RATE (149530), another quantity"), (7, "whose code is 150301: the code decides")],
            Disagreements: 5),

        // Respiration from capnography, impedance and the pleth at once: three streams; SpO2 status X and an ECG rate of 0 are invalid.
        ["capnography-and-impedance"] = new(
            [
                ("loinc:76172-6", 12, "10:00:05"), ("loinc:9279-1", 19, "10:00:05"), ("loinc:76174-2", 13, "10:00:05"),
                ("loinc:59408-5", null, "10:00:05"), ("loinc:8867-4", null, "10:00:05"),
            ],
            [],
            Implausible: 1),

        // A spot-check vital-signs monitor, no ECG: SpO2 and pulse rate, cuff with its pulse rate, oral temperature, respiration rate, ACVPU and oxygen entered by the nurse.
        ["spot-check-vital-signs-monitor"] = new(
            [
                ("loinc:59408-5", 95, "10:00:02"), ("loinc:8889-8", 96, "10:00:02"),
                ("loinc:8480-6", 108, "10:00:04"), ("loinc:8462-4", 68, "10:00:04"), ("loinc:8478-0", 81, "10:00:04"), ("loinc:76477-9", 98, "10:00:04"),
                ("loinc:8310-5", 38.4, "10:00:05"), ("loinc:9279-1", 22, "10:00:05"), ("loinc:80288-4", 0, "10:00:05"), ("loinc:3150-0", 0, "10:00:05"),
            ],
            []),
    };

    public static TheoryData<string> Names => [.. Corpus.Keys];

    [Fact]
    public void Corpus_HasAtLeastSixMessages_EachWithItsExpectations()
    {
        Assert.True(Corpus.Count >= 6);
        Assert.Equal(Corpus.Keys.Order(StringComparer.Ordinal), Hl7Corpus.Names);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CorpusMessage_IsAcceptedAA_GivingExactlyItsStreamsValuesAndTimes(string name)
    {
        var expected = Corpus[name];
        var handler = new Hl7MessageHandler(new Hl7MllpSettings("monitor", IPAddress.Loopback, 0, Hl7Samples.Berlin), Clock);

        var handled = handler.Handle(Hl7Corpus.Load(name));

        Assert.Equal(AckCode.Accept, handled.Code);
        Assert.Equal(
            expected.Samples.Select(s => (s.Stream, s.Value, DateTimeOffset.Parse("2026-07-01T" + s.At + "Z", CultureInfo.InvariantCulture))),
            handled.Samples.Select(s => (s.Stream.Code, s.Value is { } v ? Math.Round(v, 6) : (double?)null, s.Timestamp)));
        Assert.All(handled.Samples, s => Assert.Equal("monitor", s.DeviceId));
        Assert.Equal(expected.Skipped.Select(s => s.SetId), handled.Skipped.Select(s => s.SetId));
        Assert.All(expected.Skipped.Zip(handled.Skipped), pair => Assert.Contains(pair.First.Reason, pair.Second.Reason, StringComparison.Ordinal));
        Assert.Equal(expected.Disagreements, handled.Disagreements?.Count ?? 0);
        Assert.Equal(expected.DescriptionRows, handled.DescriptionRows);
        Assert.Equal(expected.Implausible, handled.Implausible);
        var note = Hl7Message.Parse(handled.Ack).Segments.Single(s => s.Id == "MSA").Get(3);
        Assert.Equal(expected.Skipped.Length == 0 ? "" : $"{expected.Skipped.Length} observation(s) not used", note);
    }

    [Fact]
    public void Load_MovesEveryTimestamp_ByTheSameAmount_KeepingItsOffset()
    {
        var text = Hl7Corpus.Load("spot-check-vital-signs-monitor", Hl7Corpus.ObservedAt.AddHours(3).AddSeconds(1));

        Assert.Contains("|20260701150007+0200||ORU^R01", text, StringComparison.Ordinal);
        Assert.Contains("|20260701150003+0200\r", text, StringComparison.Ordinal);
        Assert.Contains("SC-20260701-0001", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
    }
}
