namespace EdgeTwin.Telemetry.Tests.Verification;

using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;

/// <summary>The expected table of /work/shared/vectors/README.md, asserted exactly.</summary>
public sealed class ReferenceVerifierTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReferenceVectors_ReportExactlyTheReadmeTable(bool reversed)
    {
        var verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [TestKeys.ReferenceAddress.ToLowerInvariant()] });
        var records = ReferenceVectors.Load().Select(r => r.Payload);
        foreach (var payload in reversed ? records.Reverse() : records)
        {
            Assert.NotEqual(RecordStatus.Rejected, verifier.Add(payload).Status);
        }

        var reports = verifier.Report();
        Assert.Equal(2, reports.Count);
        var telemetry = reports.Single(r => r.Chain.Lane == Lane.Telemetry);
        var alarm = reports.Single(r => r.Chain.Lane == Lane.Alarm);

        Assert.Equal(new ChainKey("ward7-bed12", Lane.Telemetry, "0123456789abcdef0123456789abcdef"), telemetry.Chain);
        Assert.Equal((9L, 8L, 1L, 2L, 0L, 0L, 0L, 0L), Row(telemetry));
        Assert.Equal(9, telemetry.VerifiedThrough);
        Assert.Equal(TestKeys.ReferenceAddress, telemetry.Key);

        Assert.Equal(new ChainKey("ward7-bed12", Lane.Alarm, "fedcba9876543210fedcba9876543210"), alarm.Chain);
        Assert.Equal((3L, 2L, 1L, 0L, 0L, 0L, 0L, 0L), Row(alarm));
        Assert.All(reports, r => Assert.Empty(r.Problems));
        Assert.All(reports, r => Assert.True(r.Sound));
    }

    [Fact]
    public void ReferenceVectors_WithAnotherEnrolledKey_AreUnknownSigner()
    {
        var verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = ["0x0000000000000000000000000000000000000001"] });
        foreach (var (_, payload) in ReferenceVectors.Load())
        {
            verifier.Add(payload);
        }

        var telemetry = verifier.Report().Single(r => r.Chain.Lane == Lane.Telemetry);
        Assert.Equal(0, telemetry.Verified);
        Assert.Equal(3, telemetry.UnknownSigner); // genesis + 2 checkpoints
        Assert.False(telemetry.Sound);
        Assert.Contains(telemetry.Problems, p => p.Contains(VerifierProblems.UnenrolledKey, StringComparison.Ordinal));
    }

    // received | verified | pending | gap-covered | missing | forks | broken links | bad signatures
    private static (long, long, long, long, long, long, long, long) Row(ChainReport r) =>
        (r.Received, r.Verified, r.Pending, r.GapCovered, r.Missing, r.Forks, r.BrokenLinks, r.BadSigs);
}
