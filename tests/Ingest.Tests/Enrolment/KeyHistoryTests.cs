namespace EdgeTwin.Ingest.Tests.Enrolment;

using EdgeTwin.Ingest.Enrolment;

/// <summary>Issue 14: which key still signs which chain once a gateway rotated its key (the batch processor's cut-off and the re-send requester share it).</summary>
public sealed class KeyHistoryTests
{
    private const string K1 = "0x1111111111111111111111111111111111111111";
    private const string K2 = "0x2222222222222222222222222222222222222222";
    private const string K3 = "0x3333333333333333333333333333333333333333";
    private static readonly string OldTelemetry = new('a', 32);
    private static readonly string OldAlarm = new('b', 32);
    private static readonly string Other = new('c', 32);
    private static readonly KeyRotation TelemetryLink = new("telemetry", OldTelemetry, 9, new string('d', 64), K1, K2, new string('e', 32), DateTimeOffset.UnixEpoch);

    [Fact]
    public void NoRotation_OnlyTheEnrolledKeySigns()
    {
        Assert.True(KeyHistory.Signs(K1, [], "telemetry", Other, K1, revoked: false, out var seal));
        Assert.Null(seal);
        Assert.False(KeyHistory.Signs(K1, [], "telemetry", Other, K2, revoked: false, out _));
        Assert.False(KeyHistory.Signs(null, [], "telemetry", Other, K1, revoked: false, out _));
    }

    [Fact]
    public void AfterTheTelemetryLink_NewKeyInForce_OldTelemetryChainSealed_OldAlarmChainWaitsForItsLink_OtherOldChainsCutOff()
    {
        List<KeyRotation> rotations = [TelemetryLink];

        Assert.Equal(K2, KeyHistory.Effective(K1, rotations));
        Assert.True(KeyHistory.Signs(K1, rotations, "telemetry", Other, K2, revoked: false, out _));
        Assert.True(KeyHistory.Signs(K1, rotations, "telemetry", OldTelemetry, K1, revoked: false, out var seal));
        Assert.Equal(TelemetryLink, seal);
        Assert.True(KeyHistory.Signs(K1, rotations, "alarm", OldAlarm, K1, revoked: false, out seal));
        Assert.Null(seal);
        Assert.False(KeyHistory.Signs(K1, rotations, "telemetry", Other, K1, revoked: false, out _));
        Assert.False(KeyHistory.Signs(K1, rotations, "telemetry", Other, K3, revoked: false, out _));
    }

    [Fact]
    public void BothLinksIn_TheOldKeySignsOnlyItsSealedChains_ARevokedKeyNothing()
    {
        List<KeyRotation> rotations = [TelemetryLink, TelemetryLink with { Lane = "alarm", Epoch = OldAlarm }];

        Assert.True(KeyHistory.Signs(K1, rotations, "alarm", OldAlarm, K1, revoked: false, out var seal));
        Assert.NotNull(seal);
        Assert.False(KeyHistory.Signs(K1, rotations, "alarm", Other, K1, revoked: false, out _));
        Assert.False(KeyHistory.Signs(K1, rotations, "telemetry", OldTelemetry, K1, revoked: true, out _));
        Assert.Equal(rotations, KeyHistory.Parse(KeyHistory.Write(rotations)));
    }
}
