namespace EdgeTwin.Ingest.Tests.Enrolment;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using static EdgeTwin.Ingest.Tests.Processing.ProcessorHarness;

/// <summary>Issue 14: revoking a key, or enrolling a gateway anew, cuts its existing chains off at what is verified.</summary>
public sealed class CutOffTests
{
    private static readonly CheckpointPolicy EveryFive = new() { MaxRecords = 5, MaxDelay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task RevokedInTheEnrolmentFile_LaterRecordsOfItsChainAreEvidence_WhatWasVerifiedStays_OneAlertPerBatch()
    {
        using var g = new SimulatedGateway("ward7", "bed-1", T0, policy: EveryFive);
        await using var h = await CreateAsync();
        File.WriteAllText(h.PathOf("enrolment.json"), $$$"""{"gateways":{"bed-1":"{{{g.Key.Address}}}"}}""");
        var enrolment = h.UseEnrolmentFile(h.PathOf("enrolment.json"));
        g.ProduceObs(8, T0);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));
        var before = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal(4, before.VerifiedThrough);

        File.WriteAllText(h.PathOf("enrolment.json"), $$$"""{"gateways":{"bed-1":"{{{g.Key.Address}}}"},"revoked":[{"address":"{{{g.Key.Address}}}","reason":"box stolen"}]}""");
        Assert.True(enrolment.ReloadFile());
        var sent = g.All.Count;
        g.ProduceObs(12, T0);
        var result = await h.SendAsync(g, g.All.Skip(sent).Where(r => r.Lane == Lane.Telemetry));

        var after = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal(before.VerifiedThrough, after.VerifiedThrough);
        Assert.Equal(before.Received, after.Received);
        Assert.Empty(result.Receipts);
        var evidence = await h.Store.EvidenceAsync(100, default);
        Assert.Equal(g.All.Skip(sent).Count(r => r.Lane == Lane.Telemetry), evidence.Count);
        Assert.All(evidence, e => Assert.Equal($"{EnrolmentProblems.RevokedKey}: gateway 'bed-1' is enrolled as {g.Key.Address}, which is revoked (box stolen); nothing of it is taken until it is enrolled with a new address", e.Problem));
        Assert.Single(result.Alerts, a => a.Kind == AlertKind.KeyCutOff);
    }

    [Fact]
    public async Task RevokedWhileANewAddressIsEnrolled_TheRevokedKeysChainIsCutOffWithTheReason()
    {
        using var g = new SimulatedGateway("ward7", "bed-3", T0, policy: EveryFive);
        using var next = new SimulatedGateway("ward7", "bed-3", T0, policy: EveryFive);
        await using var h = await CreateAsync();
        File.WriteAllText(h.PathOf("enrolment.json"), $$$"""{"gateways":{"bed-3":"{{{g.Key.Address}}}"}}""");
        var enrolment = h.UseEnrolmentFile(h.PathOf("enrolment.json"));
        g.ProduceObs(8, T0);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));

        File.WriteAllText(h.PathOf("enrolment.json"), $$$"""{"gateways":{"bed-3":"{{{next.Key.Address}}}"},"revoked":[{"address":"{{{g.Key.Address}}}","reason":"key leaked"}]}""");
        Assert.True(enrolment.ReloadFile());
        var sent = g.All.Count;
        g.ProduceObs(6, T0);
        var result = await h.SendAsync(g, g.All.Skip(sent).Where(r => r.Lane == Lane.Telemetry));

        Assert.Equal(4, (await h.ChainAsync(g, Lane.Telemetry)).VerifiedThrough);
        var alert = Assert.Single(result.Alerts);
        Assert.Equal(AlertKind.KeyCutOff, alert.Kind);
        Assert.Equal($"{EnrolmentProblems.RevokedKey}: the chain is signed by {g.Key.Address}, revoked (key leaked); nothing after seq 4 of it is taken", alert.Detail);
    }

    [Fact]
    public async Task GatewayEnrolledAnew_TheOldKeysChainIsCutOff_TheNewKeysEpochVerifies()
    {
        using var old = new SimulatedGateway("ward7", "bed-2", T0, policy: EveryFive);
        await using var h = await CreateAsync(old);
        old.ProduceObs(8, T0);
        await h.SendAsync(old, old.All.Where(r => r.Lane == Lane.Telemetry));
        var sent = old.All.Count;

        // The box was replaced: the settings now name the new box's key for the same gateway name.
        using var replacement = new SimulatedGateway("ward7", "bed-2", T0, policy: EveryFive);
        h.Options.Enrolled["bed-2"] = replacement.Key.Address;
        await h.RestartAsync();
        old.ProduceObs(6, T0);
        var refused = await h.SendAsync(old, old.All.Skip(sent).Where(r => r.Lane == Lane.Telemetry));
        replacement.ProduceObs(8, T0);
        await h.SendAsync(replacement, replacement.All.Where(r => r.Lane == Lane.Telemetry));

        Assert.Equal(4, (await h.ChainAsync(old, Lane.Telemetry)).VerifiedThrough);
        Assert.Single(refused.Alerts, a => a.Kind == AlertKind.KeyCutOff && a.Detail.StartsWith(EnrolmentProblems.KeyCutOff, StringComparison.Ordinal) && a.Detail.Contains(replacement.Key.Address, StringComparison.Ordinal));
        Assert.Equal(4, (await h.ChainAsync(replacement, Lane.Telemetry)).VerifiedThrough);
    }
}
