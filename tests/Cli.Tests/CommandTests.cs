namespace EdgeTwin.Cli.Tests;

using System.Text;
using EdgeTwin.Telemetry.Desired;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("edgetwin-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Keygen_WritesA0600File_PrintsTheAddress_AndNeverOverwrites()
    {
        var path = Path.Combine(dir, "gw.key");

        var (exit, output, _) = await Cli.RunAsync("keygen", "--out", path);

        Assert.Equal(0, exit);
        Assert.Matches("^0x[0-9a-fA-F]{40}$", output.Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.DoesNotContain(File.ReadAllText(path).Trim()[2..], output, StringComparison.OrdinalIgnoreCase);
        var before = File.ReadAllText(path);

        var again = await Cli.RunAsync("keygen", "--out", path);
        Assert.Equal(2, again.Exit);
        Assert.Contains("already exists", again.Err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public async Task SignDesired_PrintsAnEnvelopeThatTheGatewayAccepts()
    {
        var key = Path.Combine(dir, "op.key");
        var address = (await Cli.RunAsync("keygen", "--out", key)).Out.Trim();
        var state = Path.Combine(dir, "state.json");
        File.WriteAllText(state, "{\"checkpoint\":{\"maxRecords\":128}}");

        var (exit, output, err) = await Cli.RunAsync("sign-desired", "--key", key, "--gw", "ward7-bed12", "--version", "3", state);

        Assert.True(exit == 0, err);
        var check = DesiredEnvelope.Verify(Encoding.UTF8.GetBytes(output.Trim()), "ward7-bed12", 2, [address]);
        Assert.True(check.Accepted, check.Problem);
        Assert.Equal(3, check.Document!.Version);
    }

    [Theory]
    [InlineData("sign-desired")]
    [InlineData("desired", "publish", "--broker", "mqtt://127.0.0.1:1", "--site", "st-mary")]
    public async Task SigningAStateTheGatewayWouldRefuse_IsRefused_WithTheAllowedRange_BeforeAnyBroker(params string[] command)
    {
        var key = Path.Combine(dir, "op.key");
        await Cli.RunAsync("keygen", "--out", key);
        var state = Path.Combine(dir, "state.json");
        File.WriteAllText(state, "{\"alarms\":{\"thresholds\":{\"hrHigh\":400}}}");

        // Port 1 has no broker: a refusal that came after connecting would say so instead.
        var (exit, output, err) = await Cli.RunAsync([.. command, "--key", key, "--gw", "ward7-bed12", "--version", "3", state]);

        Assert.Equal((2, string.Empty), (exit, output));
        Assert.Contains("the gateway would refuse this state: out-of-range:alarms.thresholds.hrHigh (allowed 60 to 300); nothing signed", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignDesired_BadInputs_AreClearErrors()
    {
        var key = Path.Combine(dir, "op.key");
        await Cli.RunAsync("keygen", "--out", key);
        var notObject = Path.Combine(dir, "array.json");
        File.WriteAllText(notObject, "[1]");
        var garbage = Path.Combine(dir, "garbage.json");
        File.WriteAllText(garbage, "{} x");

        Assert.Equal(2, (await Cli.RunAsync("sign-desired", "--key", key, "--gw", "ward7-bed12", "--version", "3", notObject)).Exit);
        Assert.Equal(2, (await Cli.RunAsync("sign-desired", "--key", key, "--gw", "ward7-bed12", "--version", "3", garbage)).Exit);
        Assert.Equal(2, (await Cli.RunAsync("sign-desired", "--key", key, "--gw", "Ward 7", "--version", "3", Path.Combine(dir, "none.json"))).Exit);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.OtherRead);
        File.WriteAllText(notObject, "{}");
        var open = await Cli.RunAsync("sign-desired", "--key", key, "--gw", "ward7-bed12", "--version", "3", notObject);
        Assert.Equal(2, open.Exit);
        Assert.Contains("group or others", open.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_HumanSummary_NamesEachChain()
    {
        var (exit, output, _) = await Cli.RunAsync("verify", Cli.Vector("etp1-reference.jsonl"));

        Assert.Equal(0, exit);
        Assert.Contains("OK   ward7-bed12/telemetry/0123456789abcdef0123456789abcdef", output, StringComparison.Ordinal);
        Assert.Contains("received 9, verified 8 (through seq 9), pending 1, gap-covered 2, missing 0", output, StringComparison.Ordinal);
        Assert.Contains("SOUND: 2 chains, 12 records, 10 verified", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WithAnotherEnrolledAddress_Fails()
    {
        var (exit, output, _) = await Cli.RunAsync("verify", Cli.Vector("etp1-reference.jsonl"), "--enrolled", "0x0000000000000000000000000000000000000001");
        Assert.Equal(1, exit);
        Assert.Contains("unenrolled-key", output, StringComparison.Ordinal);

        var enrolled = await Cli.RunAsync("verify", Cli.Vector("etp1-reference.jsonl"), "--enrolled", "0x0000000000000000000000000000000000000001", "0x1563915e194d8cfba1943570603f7606a3115508");
        Assert.Equal(0, enrolled.Exit);
    }

    [Fact]
    public async Task Verify_GarbageLinesAndRecords_AreReportedAndFail_NeverCrash()
    {
        var capture = Path.Combine(dir, "bad.jsonl");
        var lines = File.ReadAllLines(Cli.Vector("etp1-reference.jsonl")).ToList();
        lines.Add("this is not json");
        lines.Add("{\"topic\":\"t\",\"b64\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"etp\":2}")) + "\"}");
        lines.Add("{\"topic\":\"t\",\"b64\":\"" + Convert.ToBase64String(new byte[70_000]) + "\"}");
        File.WriteAllLines(capture, lines);

        var (exit, output, _) = await Cli.RunAsync("verify", capture, "--json");

        Assert.Equal(1, exit);
        Assert.Contains("\"unattributed\": 3", output, StringComparison.Ordinal);
        Assert.Contains("line 13: malformed-line", output, StringComparison.Ordinal);
        Assert.Contains("wrong-etp", output, StringComparison.Ordinal);
        Assert.Contains("too-large", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_FromMiddle_ACaptureWithoutTheFirstRecords_VerifiesFromTheFirstReceived_AndSkipsOtherTopics()
    {
        var capture = LiveCapture();

        var (exit, output, _) = await Cli.RunAsync("verify", capture, "--enrolled", "0x1563915e194D8CfBA1943570603F7606A3115508", "--from-middle");

        Assert.Equal(0, exit);
        Assert.Contains("received 7, verified 6 (through seq 9), pending 1, gap-covered 2, missing 0", output, StringComparison.Ordinal);
        Assert.Contains("verified from seq 2: seqs before it are out of scope (0 records received before it)", output, StringComparison.Ordinal);
        Assert.Contains("verified from seq 1: seqs before it are out of scope", output, StringComparison.Ordinal);
        Assert.Contains("skipped 1 messages on status, twin, alarm-status, receipt, resend and probe topics", output, StringComparison.Ordinal);
        Assert.Contains("SOUND: 2 chains, 9 records, 7 verified", output, StringComparison.Ordinal);

        var json = await Cli.RunAsync("verify", capture, "--enrolled", "0x1563915e194D8CfBA1943570603F7606A3115508", "--from-middle", "--json");
        using var report = System.Text.Json.JsonDocument.Parse(json.Out);
        Assert.Equal([2L, 1L], report.RootElement.GetProperty("chains").EnumerateArray().Select(c => c.GetProperty("from").GetInt64()));
        Assert.Equal(1, report.RootElement.GetProperty("otherTopics").GetInt64());
    }

    [Fact]
    public async Task Verify_ByDefault_ACaptureWithoutTheFirstRecords_HasThemMissing_AndVerifiesNothing()
    {
        var (exit, output, _) = await Cli.RunAsync("verify", LiveCapture(), "--enrolled", "0x1563915e194D8CfBA1943570603F7606A3115508");

        Assert.Equal(0, exit);
        Assert.Contains("received 7, verified 0 (through seq -1), pending 7, gap-covered 0, missing 4", output, StringComparison.Ordinal);
        Assert.DoesNotContain("verified from seq", output, StringComparison.Ordinal);
        Assert.Contains("SOUND: 2 chains, 9 records, 0 verified", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_FromMiddleWithoutEnrolled_IsAUsageError()
    {
        var (exit, output, err) = await Cli.RunAsync("verify", Cli.Vector("etp1-reference.jsonl"), "--from-middle");

        Assert.Equal((2, string.Empty), (exit, output));
        Assert.Contains("--from-middle needs --enrolled ADDR", err, StringComparison.Ordinal);
    }

    /// <summary>The reference vectors as a live capture would hold them: joined after telemetry seq 1 and alarm seq 0, with a status message.</summary>
    private string LiveCapture()
    {
        var capture = Path.Combine(dir, "live.jsonl");
        var lines = File.ReadAllLines(Cli.Vector("etp1-reference.jsonl")).ToList();
        lines = [.. lines.Where(l => Seq(l) is not 0 && !(l.Contains("/telemetry", StringComparison.Ordinal) && Seq(l) == 1))];
        lines.Insert(3, "{\"topic\":\"edgetwin/v1/st-mary/ward7-bed12/status\",\"b64\":\"" + Convert.ToBase64String("{\"online\":true}"u8) + "\"}");
        File.WriteAllLines(capture, lines);
        return capture;

        static long Seq(string line)
        {
            using var entry = System.Text.Json.JsonDocument.Parse(line);
            using var record = System.Text.Json.JsonDocument.Parse(entry.RootElement.GetProperty("b64").GetBytesFromBase64());
            return record.RootElement.GetProperty("seq").GetInt64();
        }
    }

    [Theory]
    [InlineData("verify", "/nonexistent/capture.jsonl")]
    [InlineData("verify", "CAPTURE", "--enrolled", "0x12")]
    [InlineData("keygen")]
    [InlineData("nonsense")]
    [InlineData("capture", "--broker", "http://x", "--topic", "#", "--seconds", "1")]
    [InlineData("capture", "--broker", "mqtt://localhost:1", "--topic", "#", "--seconds", "-1")]
    public async Task UsageErrors_ExitTwo(params string[] args)
    {
        var (exit, _, err) = await Cli.RunAsync(args);
        Assert.Equal(2, exit);
        Assert.NotEmpty(err);
    }
}
