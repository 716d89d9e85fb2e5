namespace EdgeTwin.Ingest.Tests.Enrolment;

using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Tests.Support;

public sealed class GatewayEnrolmentTests : IDisposable
{
    private const string A = "0x1111111111111111111111111111111111111111";
    private const string B = "0x2222222222222222222222222222222222222222";
    private const string C = "0x3333333333333333333333333333333333333333";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-enrol-").FullName;

    private string FilePath => Path.Combine(_dir, "enrolment.json");

    [Fact]
    public void SettingsAndFile_AreMerged()
    {
        File.WriteAllText(FilePath, $$$"""{"gateways":{"bed-2":"{{{B}}}"}}""");
        var e = Create(("bed-1", A));

        Assert.Equal(A, e.AddressOf("bed-1"));
        Assert.Equal(B, e.AddressOf("bed-2"));
        Assert.Null(e.AddressOf("bed-3"));
    }

    [Fact]
    public void ARevokedAddress_EnrolsNoGateway_EvenWhereTheSettingsNameIt()
    {
        File.WriteAllText(FilePath, $$$"""{"revoked":[{"address":"{{{A.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)}}}","reason":"box stolen"}]}""");
        var e = Create(("bed-1", A));

        Assert.Null(e.AddressOf("bed-1"));
        Assert.False(e.IsEnrolled("bed-1"));
        Assert.Equal("box stolen", e.RevokedReason(A));
    }

    [Fact]
    public void ChangedFile_IsAppliedOnReload_AndAnUnchangedOneIsNotReadAsAChange()
    {
        File.WriteAllText(FilePath, $$$"""{"gateways":{"bed-1":"{{{A}}}"}}""");
        var e = Create();
        var generation = e.Generation;

        Assert.False(e.ReloadFile());
        Assert.Equal(generation, e.Generation);

        File.WriteAllText(FilePath, $$$"""{"gateways":{"bed-1":"{{{C}}}"},"revoked":[{"address":"{{{A}}}","reason":"rotated out"}]}""");
        Assert.True(e.ReloadFile());

        Assert.Equal(C, e.AddressOf("bed-1"));
        Assert.Equal("rotated out", e.RevokedReason(A));
        Assert.True(e.Generation > generation);
    }

    [Theory]
    [InlineData("{\"gateways\":")]
    [InlineData("{\"gateways\":{\"bed-1\":\"0x12\"}}")]
    [InlineData(null)]
    public void UnusableOrMissingFile_OnReload_LeavesTheEnrolmentInForce(string? replacement)
    {
        File.WriteAllText(FilePath, $$$"""{"gateways":{"bed-1":"{{{A}}}"}}""");
        var e = Create();
        var generation = e.Generation;
        if (replacement is null)
        {
            File.Delete(FilePath);
        }
        else
        {
            File.WriteAllText(FilePath, replacement);
        }

        Assert.False(e.ReloadFile());

        Assert.Equal(A, e.AddressOf("bed-1"));
        Assert.Equal(generation, e.Generation);
    }

    [Fact]
    public void Validator_RefusesAtStart_AnUnusableFile_AndOneThatContradictsTheSettings()
    {
        var validator = new IngestOptionsSemanticValidator();
        File.WriteAllText(FilePath, "{\"gateways\":{\"bed-1\":\"nope\"}}");
        var bad = validator.Validate(null, new IngestOptions { EnrolmentFile = FilePath });
        Assert.Contains(bad.Failures!, f => f.Contains("Ingest:EnrolmentFile", StringComparison.Ordinal) && f.Contains("not an address", StringComparison.Ordinal));

        File.WriteAllText(FilePath, $$$"""{"gateways":{"bed-1":"{{{B}}}"}}""");
        var options = new IngestOptions { EnrolmentFile = FilePath };
        options.Enrolled["bed-1"] = A;
        var contradiction = validator.Validate(null, options);
        Assert.Contains(contradiction.Failures!, f => f.Contains("'bed-1' is enrolled as", StringComparison.Ordinal));

        var missing = validator.Validate(null, new IngestOptions { EnrolmentFile = Path.Combine(_dir, "absent.json") });
        Assert.Contains(missing.Failures!, f => f.Contains("cannot be used", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GatewayEnrolment Create(params (string Gw, string Address)[] settings)
    {
        var options = new IngestOptions { EnrolmentFile = FilePath };
        foreach (var (gw, address) in settings)
        {
            options.Enrolled[gw] = address;
        }

        return new GatewayEnrolment(new FixedOptionsMonitor<IngestOptions>(options));
    }
}
