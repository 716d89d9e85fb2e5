namespace EdgeTwin.Ingest.Options;

using System.Net;
using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Mqtt;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Options;

/// <summary>Checks that need parsing: broker address and transport, storage spec, enrolment entries.</summary>
internal sealed class IngestOptionsSemanticValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var failures = new List<string>();
        failures.AddRange(BrokerTransport.Check(IngestOptions.Section, options.Broker, options));

        if (!StorageSpec.TryParse(options.Storage, out var storage, out var storageProblem))
        {
            failures.Add(storageProblem!);
        }

        if (options.Retention is { } retention)
        {
            if (retention < IngestOptions.MinRetention)
            {
                failures.Add($"Ingest:Retention is {retention}: records are dropped by whole days, so it is at least {IngestOptions.MinRetention} (1 day); leave it unset to keep every record.");
            }
            else if (storage is { Kind: StorageKind.LiteDb })
            {
                failures.Add("Ingest:Retention needs the PostgreSQL store (Ingest:Storage=postgres:...): the LiteDB store keeps every record; leave it unset.");
            }
        }

        if (options.BatchSize is < 1 or > IngestOptions.MaxBatchSize)
        {
            failures.Add($"Ingest:BatchSize is {options.BatchSize}: it must be 1-{IngestOptions.MaxBatchSize} (messages per store transaction; set alone, a worker takes {FlowControl.WindowBatches} batches unacknowledged from the broker, its MQTT 5 Receive Maximum, which MQTT caps at 65,535).");
        }

        if (options.ReceiveWindow is < 1 or > ushort.MaxValue)
        {
            failures.Add($"Ingest:ReceiveWindow is {options.ReceiveWindow}: it must be 1-65535 (messages a worker takes unacknowledged from the broker, its MQTT 5 Receive Maximum).");
        }
        else if (options is { BatchSize: { } batch and >= 1 and <= IngestOptions.MaxBatchSize, ReceiveWindow: { } window } && window < batch)
        {
            failures.Add($"Ingest:ReceiveWindow is {window}, below Ingest:BatchSize {batch}: a batch could never fill. Raise Ingest:ReceiveWindow (a worker's memory for messages is about the window x twice the record size) or lower Ingest:BatchSize.");
        }

        if (options.StoreLanes is < 1 or > IngestOptions.MaxStoreLanes)
        {
            failures.Add($"Ingest:StoreLanes is {options.StoreLanes}: it must be 1-{IngestOptions.MaxStoreLanes} (store transactions one worker runs side by side; each is a database connection).");
        }

        if (options.VerifierCacheGateways is < 1 or > IngestOptions.MaxVerifierCacheGateways)
        {
            failures.Add($"Ingest:VerifierCacheGateways is {options.VerifierCacheGateways}: it must be 1-{IngestOptions.MaxVerifierCacheGateways} (gateways whose verifier one worker keeps between batches, up to about 15 KB each; set it to at least the gateways the ingest serves).");
        }

        foreach (var (gw, address) in options.Enrolled)
        {
            if (!WireNames.IsName(gw))
            {
                failures.Add($"Ingest:Enrolled:{gw}: a gateway name is {WireNames.NameRule}.");
            }

            if (!Eip191.IsAddress(address))
            {
                failures.Add($"Ingest:Enrolled:{gw}: '{address}' is not an address (0x + 40 hex digits).");
            }
        }

        failures.AddRange(EnrolmentFileProblems(options));

        if (options.SessionExpiry > TimeSpan.Zero && string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add($"Ingest:SessionExpiry is {options.SessionExpiry} but Ingest:ClientId is not set: a random client id never resumes its session, so set one per worker (e.g. ingest-1), or set Ingest:SessionExpiry=0.");
        }

        if (options.ReceiveProbeInterval > TimeSpan.Zero && options.ReceiveStallAfter <= options.ReceiveProbeInterval)
        {
            failures.Add($"Ingest:ReceiveStallAfter is {options.ReceiveStallAfter} but Ingest:ReceiveProbeInterval is {options.ReceiveProbeInterval}: a probe must have time to come back before its absence counts as a stalled connection, so set the stall time above the interval (defaults 00:01:00 and 00:00:10), or Ingest:ReceiveProbeInterval=0 to turn probing off.");
        }

        if (options.Anchor.Enabled)
        {
            if (!Uri.TryCreate(options.Anchor.Rpc, UriKind.Absolute, out var rpc) || rpc.Scheme is not ("http" or "https"))
            {
                failures.Add($"Ingest:Anchor:Rpc: '{options.Anchor.Rpc}' is not an http(s) JSON-RPC address.");
            }

            if (options.Anchor.ChainId <= 0)
            {
                failures.Add("Ingest:Anchor:ChainId: the chain id the anchoring transactions are signed for (a positive number) is required with Ingest:Anchor:Rpc.");
            }

            if (!Eip191.IsAddress(options.Anchor.Contract))
            {
                failures.Add($"Ingest:Anchor:Contract: '{options.Anchor.Contract}' is not a contract address (0x + 40 hex digits); deploy one with 'edgetwin anchor-deploy'.");
            }
        }

        if (options.Auth.UsesProvider)
        {
            if (!Uri.TryCreate(options.Auth.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("http" or "https"))
            {
                failures.Add($"Ingest:Auth:Authority: '{options.Auth.Authority}' is not the issuer URL of an OpenID Connect provider.");
            }

            if (string.IsNullOrWhiteSpace(options.Auth.Audience))
            {
                failures.Add("Ingest:Auth:Audience: the audience the provider's tokens name is required with Ingest:Auth:Authority.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Auth.RoleClaim))
        {
            failures.Add("Ingest:Auth:RoleClaim is empty: name the claim that carries the roles.");
        }

        failures.AddRange(AlarmsOutProblems(options));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static List<string> EnrolmentFileProblems(IngestOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.EnrolmentFile))
        {
            return failures;
        }

        try
        {
            var entries = EnrolmentFile.Parse(File.ReadAllBytes(options.EnrolmentFile));
            foreach (var (gw, address) in entries.Gateways)
            {
                if (options.Enrolled.TryGetValue(gw, out var set) && !string.Equals(set, address, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"Ingest:EnrolmentFile: gateway '{gw}' is enrolled as {address} there and as {set} in Ingest:Enrolled; keep one.");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EnrolmentFileException)
        {
            failures.Add($"Ingest:EnrolmentFile: '{options.EnrolmentFile}' cannot be used: {ex.Message}");
        }

        return failures;
    }

    private static IEnumerable<string> AlarmsOutProblems(IngestOptions options)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.AlarmManagers.Count; i++)
        {
            var m = options.AlarmManagers[i];
            var at = $"Ingest:AlarmManagers:{i}";
            if (!WireNames.IsName(m.Name))
            {
                yield return $"{at}:Name '{m.Name}': a manager name is {WireNames.NameRule}.";
            }
            else if (!names.Add(m.Name))
            {
                yield return $"{at}:Name '{m.Name}' is used twice.";
            }

            if (string.IsNullOrWhiteSpace(m.Host))
            {
                yield return $"{at}:Host is empty.";
            }

            if (m.Port is < 1 or > 65535)
            {
                yield return $"{at}:Port {m.Port} is not a TCP port (1-65535).";
            }
        }

        var alarms = options.AlarmsOut;
        if (alarms.RetryMaxDelay < alarms.RetryDelay)
        {
            yield return "Ingest:AlarmsOut:RetryMaxDelay must not be shorter than Ingest:AlarmsOut:RetryDelay.";
        }

        if (!IPAddress.TryParse(alarms.ListenAddress, out _))
        {
            yield return $"Ingest:AlarmsOut:ListenAddress '{alarms.ListenAddress}' is not an IP address.";
        }

        foreach (var peer in alarms.AllowedPeers)
        {
            if (!PeerNetworks.TryParse(peer, out _))
            {
                yield return $"Ingest:AlarmsOut:AllowedPeers: '{peer}' is not an IP address or network (10.20.0.15, 10.20.0.0/24).";
            }
        }

        foreach (var status in alarms.StatusesToBox().Where(s => !AlarmStatusDocument.Statuses.Contains(s)).Order(StringComparer.Ordinal))
        {
            yield return $"Ingest:AlarmsOut:StatusToBoxStatuses: '{status}' is not an alert status ({string.Join(", ", AlarmStatusDocument.Statuses)}).";
        }
    }
}
