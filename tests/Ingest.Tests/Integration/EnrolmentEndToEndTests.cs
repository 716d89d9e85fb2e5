namespace EdgeTwin.Ingest.Tests.Integration;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Issue 14: the enrolment file of a running ingest (real host, real mosquitto, LiteDB) is changed
/// without a restart: a revoked key is cut off at what was verified, and the box's new key verifies.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EnrolmentEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly CheckpointPolicy EveryFive = new() { MaxRecords = 5, MaxDelay = TimeSpan.FromHours(1) };
    private readonly MosquittoFixture _broker;

    public EnrolmentEndToEndTests(MosquittoFixture broker) => _broker = broker;

    [Fact]
    public async Task KeyRevokedInTheRunningIngestsFile_LaterRecordsRefusedWithAnAlert_NewKeyEnrolledInTheSameFileVerifies()
    {
        var now = DateTimeOffset.UtcNow;
        using var stolen = new SimulatedGateway("ward7", "enrol-1", now, policy: EveryFive);
        var file = Path.Combine(Path.GetTempPath(), $"edgetwin-enrolment-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, $$$"""{"gateways":{"enrol-1":"{{{stolen.Key.Address}}}"}}""");
        try
        {
            await using var ingest = await InProcessIngest.StartAsync(_broker.Uri, [$"--Ingest:EnrolmentFile={file}", "--Ingest:EnrolmentReloadInterval=00:00:00.100"]);
            await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);
            mqtt.Track(stolen);
            stolen.ProduceObs(8, now);
            foreach (var r in stolen.All.Where(r => r.Lane == Lane.Telemetry))
            {
                await mqtt.PublishAsync(stolen, r);
            }

            await InProcessIngest.EventuallyAsync(() => Task.FromResult(stolen.ReceiptedThrough(Lane.Telemetry) == 4), Wait, () => $"receipted through {stolen.ReceiptedThrough(Lane.Telemetry)}, not 4");

            // Every record sent so far taken in by the ingest (the ones after the last checkpoint wait
            // for the next): the revocation below must find them in, or they count among the refused.
            var before = stolen.All.Count(r => r.Lane == Lane.Telemetry);
            long received = 0;
            await InProcessIngest.EventuallyAsync(
                async () => (received = (await ingest.Store.ChainsAsync("enrol-1", default)).Single(c => c.Id.Epoch == stolen.Telemetry.State.Epoch).Received) >= before,
                Wait, () => $"{before} telemetry records received before the revocation, {received} so far");

            // The box was stolen: the technician revokes its key and enrols the replacement box's key.
            using var replacement = new SimulatedGateway("ward7", "enrol-1", now, policy: EveryFive);
            var enrolment = ingest.Services.GetRequiredService<GatewayEnrolment>();
            var generation = enrolment.Generation;
            File.WriteAllText(file, $$$"""{"gateways":{"enrol-1":"{{{replacement.Key.Address}}}"},"revoked":[{"address":"{{{stolen.Key.Address}}}","reason":"box stolen from ward 7"}]}""");
            await InProcessIngest.EventuallyAsync(() => Task.FromResult(enrolment.Generation > generation), Wait, () => "the changed enrolment file applied");

            var sent = stolen.All.Count;
            foreach (var r in stolen.ProduceObs(8, now).Concat(stolen.Seal(now)).Where(r => r.Lane == Lane.Telemetry))
            {
                await mqtt.PublishAsync(stolen, r);
            }

            mqtt.Track(replacement);
            replacement.ProduceObs(8, now);
            foreach (var r in replacement.All.Where(r => r.Lane == Lane.Telemetry))
            {
                await mqtt.PublishAsync(replacement, r);
            }

            await InProcessIngest.EventuallyAsync(() => Task.FromResult(replacement.ReceiptedThrough(Lane.Telemetry) == 4), Wait, () => "the replacement box's records verified");
            // Every refused record kept (a record the broker delivered twice may be kept twice: it arrived twice).
            var refused = stolen.All.Skip(sent).Where(r => r.Lane == Lane.Telemetry).Select(r => (long?)r.Seq).ToHashSet();
            var evidence = new List<EvidenceRow>();
            await InProcessIngest.EventuallyAsync(async () => (evidence = await EvidenceOf(ingest.Store, stolen)).Select(e => e.Seq).ToHashSet().SetEquals(refused), Wait,
                () => $"the {refused.Count} records signed by the revoked key kept as evidence; held {evidence.Count}: " +
                    string.Join(", ", evidence.OrderBy(e => e.Seq).Select(e => $"seq {e.Seq} {e.Problem}")) + $"; refused were seqs {string.Join(",", refused)}");

            var alerts = await ingest.Store.AlertsAsync(0, 1000, default);
            Assert.Contains(alerts, a => a.Kind == AlertKind.KeyCutOff && a.Epoch == stolen.Telemetry.State.Epoch
                && a.Detail == $"{EnrolmentProblems.RevokedKey}: the chain is signed by {stolen.Key.Address}, revoked (box stolen from ward 7); nothing after seq 4 of it is taken");
            var chains = await ingest.Store.ChainsAsync("enrol-1", default);
            Assert.Equal(4, chains.Single(c => c.Id.Epoch == stolen.Telemetry.State.Epoch).VerifiedThrough);
            Assert.Equal(4, stolen.ReceiptedThrough(Lane.Telemetry));
            Assert.All(await EvidenceOf(ingest.Store, stolen), e => Assert.StartsWith(EnrolmentProblems.RevokedKey, e.Problem, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<List<EvidenceRow>> EvidenceOf(IIngestStore store, SimulatedGateway g) =>
        [.. (await store.EvidenceAsync(10_000, default)).Where(e => e.Chain?.Epoch == g.Telemetry.State.Epoch)];
}
