namespace EdgeTwin.Gateway.Tests.Alarms;

using System.Text.Json.Nodes;
using EdgeTwin.Inference.Model;

/// <summary>Issue 6: "the gateway ... reports model id and version in the twin", loaded or rules-only with the reason.</summary>
public sealed class ReportedModelTests
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task ShippedModel_Loaded_IsReportedWithIdVersionAndHash()
    {
        var model = await ReportedModel(new() { ["Inference:Model:Enabled"] = "true" });

        Assert.Equal(
            $$"""{"id":"{{ShippedModel.Id}}","version":"{{ShippedModel.Version}}","sha256":"{{ShippedModel.Sha256}}","status":"loaded"}""",
            model.ToJsonString());
    }

    [Fact]
    public async Task ModelWithAnotherHash_RulesOnly_IsReportedWithTheReasonAndTheHashRead()
    {
        var expected = new string('0', 64);
        var model = await ReportedModel(new() { ["Inference:Model:Enabled"] = "true", ["Inference:Model:Sha256"] = expected });

        Assert.Equal("rules-only", model["status"]!.GetValue<string>());
        Assert.Equal(ShippedModel.Sha256, model["sha256"]!.GetValue<string>());
        Assert.Equal(ShippedModel.Version, model["version"]!.GetValue<string>());
        Assert.EndsWith($"has SHA-256 {ShippedModel.Sha256}, configuration expects {expected}", model["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelDisabled_IsReportedRulesOnlyWithoutAHash()
    {
        var model = await ReportedModel(new() { ["Inference:Model:Enabled"] = "false" });

        Assert.Equal(
            $$"""{"id":"{{ShippedModel.Id}}","version":"{{ShippedModel.Version}}","sha256":null,"status":"rules-only","reason":"disabled by configuration"}""",
            model.ToJsonString());
    }

    private async Task<JsonObject> ReportedModel(Dictionary<string, string?> settings)
    {
        await using var g = new WiredGateway(settings);
        await g.Controller.StartAsync(_timeout.Token);
        await g.Reporter.PublishIfChangedAsync(_timeout.Token);
        var document = await g.Publisher.NextAsync();
        return (JsonObject)document["state"]!["model"]!.DeepClone();
    }
}
