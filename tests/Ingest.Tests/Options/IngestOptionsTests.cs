namespace EdgeTwin.Ingest.Tests.Options;

using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Options;
using Microsoft.Extensions.Configuration;

public sealed class IngestOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndNameTheEmbeddedLiteDb()
    {
        var o = new IngestOptions();
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, o).Succeeded);
        Assert.True(new IngestOptionsValidator().Validate(null, o).Succeeded);
        Assert.True(StorageSpec.TryParse(o.Storage, out var spec, out _));
        Assert.Equal((StorageKind.LiteDb, "./ingest-data"), (spec!.Kind, spec.Target));
    }

    [Theory]
    [InlineData("mqtt://broker.example:1884")]
    [InlineData("mqtt://10.0.0.1")]
    [InlineData("mqtts://broker.example")]
    public void Broker_Valid_IsAccepted(string text)
    {
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, new IngestOptions { Broker = text }).Succeeded);
    }

    [Theory]
    [InlineData("http://x:1883")]
    [InlineData("broker:1883")]
    [InlineData("mqtt://x:1883/path")]
    [InlineData("")]
    public void Broker_Bad_IsRejectedWithTheSettingName(string text)
    {
        var result = new IngestOptionsSemanticValidator().Validate(null, new IngestOptions { Broker = text });
        Assert.False(result.Succeeded);
        Assert.Contains("Ingest:Broker", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Password_OverPlainMqttOffThisBox_IsRefusedUnlessAllowed()
    {
        var validator = new IngestOptionsSemanticValidator();
        var refused = validator.Validate(null, new IngestOptions { Broker = "mqtt://broker.site", Username = "ingest", Password = "pw" });
        Assert.False(refused.Succeeded);
        Assert.Contains("Ingest:AllowPlainPassword=true", refused.FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new IngestOptions { Broker = "mqtt://broker.site", Username = "ingest", Password = "pw", AllowPlainPassword = true }).Succeeded);
        Assert.True(validator.Validate(null, new IngestOptions { Broker = "mqtts://broker.site", Username = "ingest", Password = "pw" }).Succeeded);
    }

    [Fact]
    public void SessionExpiry_WithoutAFixedClientId_IsRefusedNamingBothSettings()
    {
        var validator = new IngestOptionsSemanticValidator();
        var refused = validator.Validate(null, new IngestOptions { SessionExpiry = TimeSpan.FromMinutes(5) });
        Assert.False(refused.Succeeded);
        Assert.Contains("Ingest:SessionExpiry is 00:05:00 but Ingest:ClientId is not set", refused.FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new IngestOptions { SessionExpiry = TimeSpan.FromMinutes(5), ClientId = "ingest-1" }).Succeeded);
    }

    [Fact]
    public void SessionExpiry_BeyondSevenDaysOrNegative_IsRefused()
    {
        var validator = new IngestOptionsValidator();
        Assert.False(validator.Validate(null, new IngestOptions { SessionExpiry = TimeSpan.FromDays(8), ClientId = "ingest-1" }).Succeeded);
        Assert.False(validator.Validate(null, new IngestOptions { SessionExpiry = TimeSpan.FromSeconds(-1), ClientId = "ingest-1" }).Succeeded);
        Assert.True(validator.Validate(null, new IngestOptions { SessionExpiry = TimeSpan.FromDays(7), ClientId = "ingest-1" }).Succeeded);
    }

    [Fact]
    public void ReceiveStallAfter_NotAboveTheProbeInterval_IsRefusedNamingBothSettings_UnlessProbingIsOff()
    {
        var validator = new IngestOptionsSemanticValidator();
        var refused = validator.Validate(null, new IngestOptions { ReceiveProbeInterval = TimeSpan.FromSeconds(30), ReceiveStallAfter = TimeSpan.FromSeconds(30) });
        Assert.False(refused.Succeeded);
        Assert.Contains("Ingest:ReceiveStallAfter is 00:00:30 but Ingest:ReceiveProbeInterval is 00:00:30", refused.FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new IngestOptions { ReceiveProbeInterval = TimeSpan.FromSeconds(30), ReceiveStallAfter = TimeSpan.FromSeconds(31) }).Succeeded);
        Assert.True(validator.Validate(null, new IngestOptions { ReceiveProbeInterval = TimeSpan.Zero, ReceiveStallAfter = TimeSpan.FromSeconds(1) }).Succeeded);
        Assert.True(validator.Validate(null, new IngestOptions()).Succeeded);
    }

    [Fact]
    public void ReceiveProbeInterval_NegativeOrAboveAnHour_IsRefused()
    {
        var validator = new IngestOptionsValidator();
        Assert.False(validator.Validate(null, new IngestOptions { ReceiveProbeInterval = TimeSpan.FromSeconds(-1) }).Succeeded);
        Assert.False(validator.Validate(null, new IngestOptions { ReceiveProbeInterval = TimeSpan.FromMinutes(61), ReceiveStallAfter = TimeSpan.FromMinutes(62) }).Succeeded);
        Assert.False(validator.Validate(null, new IngestOptions { ReceiveStallAfter = TimeSpan.Zero }).Succeeded);
        Assert.True(validator.Validate(null, new IngestOptions { ReceiveProbeInterval = TimeSpan.Zero }).Succeeded);
    }

    [Theory]
    [InlineData("-1.00:00:00")]
    [InlineData("00:00:00")]
    [InlineData("23:59:59")]
    public void Retention_NegativeOrShorterThanADay_IsRefusedNamingTheSetting(string text)
    {
        var o = Bind(("Ingest:Retention", text), ("Ingest:Storage", "postgres:Host=db;Database=ingest"));
        var refused = new IngestOptionsSemanticValidator().Validate(null, o);
        Assert.False(refused.Succeeded);
        Assert.Contains($"Ingest:Retention is {TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture)}: records are dropped by whole days, so it is at least 1.00:00:00", refused.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_OffByDefault_ADayOrMoreOnPostgres_Accepted_OnLiteDbRefused()
    {
        var validator = new IngestOptionsSemanticValidator();
        Assert.Null(new IngestOptions().Retention);
        Assert.True(validator.Validate(null, Bind(("Ingest:Retention", "30.00:00:00"), ("Ingest:Storage", "postgres:Host=db;Database=ingest"))).Succeeded);
        Assert.True(validator.Validate(null, Bind(("Ingest:Retention", "1.00:00:00"), ("Ingest:Storage", "postgres:Host=db;Database=ingest"))).Succeeded);
        var lite = validator.Validate(null, Bind(("Ingest:Retention", "30.00:00:00")));
        Assert.False(lite.Succeeded);
        Assert.Contains("Ingest:Retention needs the PostgreSQL store", lite.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("9")]
    public void StoreLanes_OutsideOneToEight_IsRefusedNamingTheSetting(string text)
    {
        var refused = new IngestOptionsSemanticValidator().Validate(null, Bind(("Ingest:StoreLanes", text)));
        Assert.False(refused.Succeeded);
        Assert.Contains($"Ingest:StoreLanes is {text}: it must be 1-8", refused.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("8")]
    public void StoreLanes_OneToEight_IsTaken(string text)
    {
        var options = Bind(("Ingest:StoreLanes", text));
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, options).Succeeded);
        Assert.Equal(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture), options.StoreLanes);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1000001")]
    public void VerifierCacheGateways_OutsideOneToAMillion_IsRefusedNamingTheSetting(string text)
    {
        var refused = new IngestOptionsSemanticValidator().Validate(null, Bind(("Ingest:VerifierCacheGateways", text)));
        Assert.False(refused.Succeeded);
        Assert.Contains($"Ingest:VerifierCacheGateways is {text}: it must be 1-1000000", refused.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("1000000", 1_000_000)]
    [InlineData(null, 10_000)]
    public void VerifierCacheGateways_OneToAMillion_IsTaken_DefaultTenThousand(string? text, int expected)
    {
        var options = text is null ? Bind() : Bind(("Ingest:VerifierCacheGateways", text));
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, options).Succeeded);
        Assert.Equal(expected, options.VerifierCacheGateways);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("10001")]
    public void BatchSize_OutsideOneToTenThousand_IsRefusedNamingTheSetting(string text)
    {
        var refused = new IngestOptionsSemanticValidator().Validate(null, Bind(("Ingest:BatchSize", text)));
        Assert.False(refused.Succeeded);
        Assert.Contains($"Ingest:BatchSize is {text}: it must be 1-10000 (messages per store transaction; set alone, a worker takes 6 batches unacknowledged from the broker, its MQTT 5 Receive Maximum, which MQTT caps at 65,535).", refused.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("65536")]
    public void ReceiveWindow_OutsideOneTo65535_IsRefusedNamingTheSetting(string text)
    {
        var refused = new IngestOptionsSemanticValidator().Validate(null, Bind(("Ingest:ReceiveWindow", text)));
        Assert.False(refused.Succeeded);
        Assert.Contains($"Ingest:ReceiveWindow is {text}: it must be 1-65535 (messages a worker takes unacknowledged from the broker, its MQTT 5 Receive Maximum).", refused.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ReceiveWindow_BelowTheBatchSize_IsRefusedNamingBoth()
    {
        var refused = new IngestOptionsSemanticValidator().Validate(null, Bind(("Ingest:BatchSize", "2048"), ("Ingest:ReceiveWindow", "1536")));
        Assert.False(refused.Succeeded);
        Assert.Contains("Ingest:ReceiveWindow is 1536, below Ingest:BatchSize 2048: a batch could never fill.", refused.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Unset_BatchesOf2048_InAWindowOf3072()
    {
        var options = Bind();
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, options).Succeeded);
        Assert.Equal(2_048, FlowControl.BatchSize(options));
        Assert.Equal(3_072, FlowControl.ReceiveMaximum(options));
        Assert.Equal(3_072, FlowControl.InboxCapacity(options));
    }

    [Theory]
    [InlineData("1", 6)]
    [InlineData("256", 1_536)]
    [InlineData("2048", 12_288)]
    [InlineData("10000", 60_000)]
    public void BatchSizeAlone_SetsTheWindowToSixBatches_AsBefore(string batch, int window)
    {
        var options = Bind(("Ingest:BatchSize", batch));
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, options).Succeeded);
        Assert.Equal(int.Parse(batch, System.Globalization.CultureInfo.InvariantCulture), FlowControl.BatchSize(options));
        Assert.Equal(window, FlowControl.ReceiveMaximum(options));
        Assert.True(FlowControl.ReceiveMaximum(options) <= ushort.MaxValue);
    }

    [Theory]
    [InlineData("100", 100)]
    [InlineData("1024", 1_024)]
    [InlineData("2048", 2_048)]
    [InlineData("65535", 2_048)]
    public void ReceiveWindowAlone_TakesBatchesOfTheDefault_OrOfTheWholeWindowWhenSmaller(string window, int batch)
    {
        var options = Bind(("Ingest:ReceiveWindow", window));
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, options).Succeeded);
        Assert.Equal(int.Parse(window, System.Globalization.CultureInfo.InvariantCulture), FlowControl.ReceiveMaximum(options));
        Assert.Equal(batch, FlowControl.BatchSize(options));
    }

    [Fact]
    public void BothSet_AreTakenAsGiven()
    {
        var options = Bind(("Ingest:BatchSize", "300"), ("Ingest:ReceiveWindow", "300"));
        Assert.True(new IngestOptionsSemanticValidator().Validate(null, options).Succeeded);
        Assert.Equal(300, FlowControl.BatchSize(options));
        Assert.Equal(300, FlowControl.ReceiveMaximum(options));
    }

    private static IngestOptions Bind(params (string Key, string Value)[] settings)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var o = new IngestOptions();
        ConfigurationBinder.Bind(config.GetSection(IngestOptions.Section), o);
        return o;
    }

    [Fact]
    public void TlsFiles_WithPlainMqtt_AreRefusedNamingTheSetting()
    {
        var result = new IngestOptionsSemanticValidator().Validate(null, new IngestOptions { Broker = "mqtt://broker.site", CaFile = "/etc/edgetwin/ca.pem" });
        Assert.False(result.Succeeded);
        Assert.Contains("Ingest:CaFile is set but Ingest:Broker", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres:Host=db;Database=ingest", "Postgres", "Host=db;Database=ingest")]
    [InlineData("litedb:/var/lib/edgetwin-ingest", "LiteDb", "/var/lib/edgetwin-ingest")]
    public void Storage_Parses(string text, string kind, string target)
    {
        Assert.True(StorageSpec.TryParse(text, out var spec, out _));
        Assert.Equal((kind, target), (spec!.Kind.ToString(), spec.Target));
    }

    [Theory]
    [InlineData("mysql:x")]
    [InlineData("litedb:")]
    [InlineData("postgres:  ")]
    [InlineData("nothing")]
    public void Storage_Bad_IsRejected(string text)
    {
        Assert.False(StorageSpec.TryParse(text, out _, out var problem));
        Assert.Contains("Ingest:Storage", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Enrolment_BadNameOrAddress_FailsWithBothProblems()
    {
        var o = new IngestOptions { Enrolled = { ["Ward7"] = "0x1563915e194D8CfBA1943570603F7606A3115508", ["bed-1"] = "0x1234" } };
        var result = new IngestOptionsSemanticValidator().Validate(null, o);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Ingest:Enrolled:Ward7", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("'0x1234' is not an address", StringComparison.Ordinal));
    }

    [Fact]
    public void SharedGroup_WithWildcard_IsRejected()
    {
        var result = new IngestOptionsValidator().Validate(null, new IngestOptions { SharedGroup = "a/+" });
        Assert.True(result.Failed);
    }
}
