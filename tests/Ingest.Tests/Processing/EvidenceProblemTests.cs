namespace EdgeTwin.Ingest.Tests.Processing;

using System.Text;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static ProcessorHarness;

/// <summary>Every record kept as evidence is counted in edgetwin.ingest.evidence by a short, bounded problem code.</summary>
public sealed class EvidenceProblemTests
{
    [Theory]
    [InlineData("fork: seq 5 already holds another record", "fork")]
    [InlineData("missing-member:etp", "missing-member")]
    [InlineData("not-enrolled: gateway 'x' has no enrolled address", "not-enrolled")]
    [InlineData("wrong-etp", "wrong-etp")]
    [InlineData("malformed: 'x' is an invalid start of a value", "malformed")]
    [InlineData("rejected by the verifier", "other")]
    [InlineData("Fork: upper case", "other")]
    [InlineData("<script>: a sender's text", "other")]
    [InlineData("", "other")]
    [InlineData(": nothing before the colon", "other")]
    [InlineData("a-very-long-problem-name-that-is-not-a-code-at-all: x", "other")]
    public void Code_IsTheTextBeforeTheFirstColon_WhenItIsACode_ElseOther(string problem, string code) =>
        Assert.Equal(code, EvidenceProblem.Code(problem));

    [Fact]
    public async Task ABatchsEvidence_IsCountedByProblem_InTheEvidenceMetric()
    {
        using var enrolled = new SimulatedGateway("ward7", "bed-1", T0, policy: new CheckpointPolicy { MaxRecords = 5, MaxDelay = TimeSpan.FromHours(1) });
        using var stranger = new SimulatedGateway("ward7", "bed-9", T0);
        await using var h = await CreateAsync(enrolled);
        enrolled.ProduceObs(3, T0);
        stranger.ProduceObs(2, T0);
        var telemetry = enrolled.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        var broken = Message(enrolled, telemetry[1], Encoding.UTF8.GetBytes("{\"gw\":"));
        var batch = telemetry.Select(r => Message(enrolled, r)).Append(broken)
            .Concat(stranger.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(stranger, r))).ToList();

        var result = await h.Processor.ProcessAsync(batch, default);

        // The unenrolled gateway's 3 records (genesis and 2 obs) and the malformed one.
        Assert.Equal(4, result.Evidence);
        Assert.Equal(new Dictionary<string, int> { ["malformed"] = 1, ["not-enrolled"] = 3 }, result.EvidenceByProblem.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary());

        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new IngestMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var evidence = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), IngestMetrics.MeterName, "edgetwin.ingest.evidence");
        metrics.Committed(result);
        Assert.Equal(
            [("malformed", 1L), ("not-enrolled", 3L)],
            evidence.GetMeasurementSnapshot().Select(m => ((string)m.Tags["problem"]!, m.Value)).OrderBy(m => m.Item1, StringComparer.Ordinal));
    }
}
