namespace EdgeTwin.Cli.Commands;

using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeTwin.Cli.Desired;
using EdgeTwin.Cli.Mqtt;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Wire;
using MQTTnet;
using MQTTnet.Protocol;

/// <summary>
/// <c>desired publish --broker mqtt://HOST:PORT --site SITE --gw NAME --key FILE --version N STATE.json</c>:
/// checks the state as the gateway would, signs it, publishes it retained at QoS 1 on
/// <c>{prefix}/{site}/{gw}/twin/desired</c> (docs/twin.md), and waits for the gateway's verdict in its
/// reported twin: exit 0 applied, 1 refused (the reason printed), 3 no verdict before <c>--timeout</c>,
/// 2 bad input or no broker (nothing published).
/// </summary>
internal static class DesiredCommand
{
    public const int NoVerdict = 3;

    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var broker = new Option<string>("--broker") { Description = "mqtt://HOST[:PORT] (port 1883 by default)", Required = true };
        var site = new Option<string>("--site") { Description = "the gateway's Gateway:Site", Required = true };
        var gw = new Option<string>("--gw") { Description = "the gateway's Gateway:Name", Required = true };
        var keyFile = new Option<FileInfo>("--key") { Description = "operator key file (mode 0600), one of the gateway's Twin:OperatorAddresses", Required = true };
        var version = new Option<long>("--version") { Description = "document version, greater than the one applied", Required = true };
        var prefix = new Option<string>("--prefix") { Description = "topic prefix (Uplink:TopicPrefix)", DefaultValueFactory = _ => "edgetwin/v1" };
        var timeout = new Option<double>("--timeout") { Description = "seconds to wait for the gateway's verdict", DefaultValueFactory = _ => 30 };
        var gatewayAddress = new Option<string?>("--gateway-address") { Description = "the gateway's address: only a reported twin it signed counts" };
        var state = new Argument<FileInfo>("STATE.json") { Description = "desired state, a JSON object (docs/twin.md)" };
        var publish = new Command("publish", "check, sign and publish a desired-state document, then wait for the gateway's verdict")
        {
            broker, site, gw, keyFile, version, prefix, timeout, gatewayAddress, state,
        };
        publish.SetAction(async (parse, cancellationToken) =>
        {
            var wait = parse.GetValue(timeout);
            if (!CliBroker.TryParse(parse.GetRequiredValue(broker), out var host, out var port)
                || !WireNames.IsName(parse.GetRequiredValue(site)) || !WireNames.IsName(parse.GetRequiredValue(gw))
                || !double.IsFinite(wait) || wait <= 0 || wait > 3600)
            {
                await stderr.WriteLineAsync($"edgetwin desired publish: {CliBroker.Usage}; --site and --gw must match {WireNames.NameRule}; --timeout 0-3600 s").ConfigureAwait(false);
                return CliApp.Usage;
            }

            var n = parse.GetValue(version);
            if (SignedDesired.Make(parse.GetRequiredValue(keyFile), parse.GetRequiredValue(gw), n, parse.GetRequiredValue(state), time, out var problem) is not { } envelope)
            {
                await stderr.WriteLineAsync($"edgetwin desired publish: {problem}").ConfigureAwait(false);
                return CliApp.Usage;
            }

            var topics = $"{parse.GetValue(prefix)}/{parse.GetRequiredValue(site)}/{parse.GetRequiredValue(gw)}";
            try
            {
                var verdict = await PublishAsync(host, port, topics, envelope, n, parse.GetRequiredValue(gw), parse.GetValue(gatewayAddress), TimeSpan.FromSeconds(wait), stderr, time, cancellationToken)
                    .ConfigureAwait(false);
                if (verdict is null)
                {
                    await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"edgetwin desired publish: published; no verdict from {parse.GetRequiredValue(gw)} within {wait} s (is it connected? its GET /twin, with its admin token, shows desired)")).ConfigureAwait(false);
                    return NoVerdict;
                }

                await stdout.WriteLineAsync(verdict.Value.Applied
                    ? string.Create(CultureInfo.InvariantCulture, $"desired-applied: version {n}")
                    : string.Create(CultureInfo.InvariantCulture, $"desired-rejected: version {n}: {verdict.Value.Reason}")).ConfigureAwait(false);
                return verdict.Value.Applied ? CliApp.Ok : CliApp.Failed;
            }
            catch (Exception e) when (CliBroker.IsBrokerProblem(e))
            {
                await stderr.WriteLineAsync($"edgetwin desired publish: {e.Message}").ConfigureAwait(false);
                return CliApp.Usage;
            }
        });
        return new Command("desired", "desired state: publish a signed document and wait for the gateway's verdict") { publish };
    }

    /// <summary>
    /// Subscribes to the reported twin first, then publishes. The verdict is the first reported twin
    /// after the retained one whose desired part changed: <paramref name="version"/> applied, or a new
    /// refusal (of this version, or of no version: a document the gateway could not read or whose
    /// signer it does not trust). Null at the deadline.
    /// </summary>
    private static async Task<(bool Applied, string Reason)?> PublishAsync(
        string host, int port, string topics, byte[] envelope, long version, string gw, string? gatewayAddress, TimeSpan wait, TextWriter progress, TimeProvider time, CancellationToken cancellationToken)
    {
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        var verdict = new TaskCompletionSource<(bool, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        JsonObject? previous = null;
        var gate = new object();
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (Desired(e.ApplicationMessage.Payload.ToArray(), gw, gatewayAddress) is not { } desired)
            {
                return Task.CompletedTask;
            }

            lock (gate)
            {
                // The first one is the retained twin from before this document; only a change after it is a verdict.
                var before = previous;
                previous = desired;
                if (before is null || JsonNode.DeepEquals(before, desired))
                {
                    return Task.CompletedTask;
                }

                var rejected = desired["lastRejected"];
                if (Applied(desired) >= version && Applied(before) < version)
                {
                    verdict.TrySetResult((true, string.Empty));
                }
                else if (rejected is JsonObject r && !JsonNode.DeepEquals(r, before["lastRejected"])
                    && (r["version"] is null || (r["version"] is JsonValue v && v.TryGetValue<long>(out var rv) && rv == version)))
                {
                    verdict.TrySetResult((false, r["reason"]?.GetValue<string>() ?? "(no reason given)"));
                }
            }

            return Task.CompletedTask;
        };

        await client.ConnectAsync(CliBroker.Options(host, port, "desired"), cancellationToken).ConfigureAwait(false);
        await client.SubscribeAsync(factory.CreateSubscribeOptionsBuilder().WithTopicFilter(topics + "/twin/reported", MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken)
            .ConfigureAwait(false);
        var message = new MqttApplicationMessageBuilder().WithTopic(topics + "/twin/desired").WithPayload(envelope)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build();
        await client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        await progress.WriteLineAsync($"edgetwin desired publish: published version {version} on {topics}/twin/desired (retained); waiting for the verdict").ConfigureAwait(false);
        try
        {
            return await verdict.Task.WaitAsync(wait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            await client.DisconnectAsync(factory.CreateClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static long Applied(JsonObject desired) =>
        desired["applied"] is JsonValue applied && applied.TryGetValue<long>(out var version) ? version : -1;

    /// <summary>The <c>state.desired</c> of a reported twin the gateway signed (by <paramref name="gatewayAddress"/> when given), or null.</summary>
    private static JsonObject? Desired(byte[] envelope, string gw, string? gatewayAddress)
    {
        if (!SignedEnvelope.TryOpen(envelope, out var doc, out var signer, out _)
            || (gatewayAddress is not null && !string.Equals(signer, gatewayAddress, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(doc) is JsonObject d && d["gw"]?.GetValue<string>() == gw ? d["state"]?["desired"] as JsonObject : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
