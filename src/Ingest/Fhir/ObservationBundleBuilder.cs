namespace EdgeTwin.Ingest.Fhir;

using System.Globalization;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Twin;
using EdgeTwin.Telemetry.Records;
using Hl7.Fhir.Model;

/// <summary>
/// A patient's verified observations as a FHIR R4 searchset Bundle: one Observation per vital-sign
/// sample (LOINC + UCUM, vital-signs category), one SampledData Observation per waveform run (IEEE
/// 11073 MDC), each referring to its device; and per covering checkpoint one Provenance whose
/// signature is that checkpoint's EIP-191 signature, so a FHIR client can take the proof along.
/// </summary>
internal sealed class ObservationBundleBuilder
{
    public const int MaxRecords = 5000;
    private const string Loinc = "http://loinc.org";
    private const string Mdc = "urn:iso:std:iso:11073:10101";
    private const string Ucum = "http://unitsofmeasure.org";

    /// <summary>
    /// Home-care meters' results that are laboratory observations, not vital signs: blood glucose in
    /// capillary or other blood, mass or moles per volume, and HbA1c (issue 19).
    /// </summary>
    private static readonly HashSet<string> Laboratory = new(StringComparer.Ordinal) { "loinc:41653-7", "loinc:14743-9", "loinc:2339-0", "loinc:15074-8", "loinc:4548-4" };
    private readonly IIngestStore _store;
    private readonly TimeProvider _time;

    public ObservationBundleBuilder(IIngestStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public async Task<Bundle> BuildAsync(string patient, DateTimeOffset? since, CancellationToken ct)
    {
        var plain = await _store.VerifiedRecordsAsync(new RecordQuery(patient, null, since, RecordKinds.Obs, MaxRecords), ct).ConfigureAwait(false);
        var compact = await _store.VerifiedRecordsAsync(new RecordQuery(patient, null, since, RecordKinds.ObsCompact, MaxRecords), ct).ConfigureAwait(false);
        var records = plain.Concat(compact).ToList();
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Timestamp = _time.GetUtcNow() };
        foreach (var chain in records.GroupBy(r => r.Chain))
        {
            var rows = chain.OrderBy(r => r.Seq).ToList();
            var checkpoints = await _store.CheckpointsAsync(chain.Key, rows[0].Seq + 1, long.MaxValue, ct).ConfigureAwait(false);
            var covered = new Dictionary<long, List<string>>();
            foreach (var r in rows)
            {
                var runs = ObsReading.ReadAll(r.Kind, r.Payload);
                var cp = checkpoints.FirstOrDefault(c => c.Seq > r.Seq);
                var urls = new List<string>();
                foreach (var o in runs.SelectMany((obs, j) => Observations(RunId(r, runs.Count > 1 || r.Kind == RecordKinds.ObsCompact ? j : null), obs, since)))
                {
                    var url = FullUrl(o.Id!);
                    bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = url, Resource = o, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } });
                    urls.Add(url);
                }

                if (cp is not null)
                {
                    (covered.TryGetValue(cp.Seq, out var list) ? list : covered[cp.Seq] = []).AddRange(urls);
                }
            }

            foreach (var cp in checkpoints.Where(c => covered.ContainsKey(c.Seq)))
            {
                var p = ProvenanceFor(cp, covered[cp.Seq]);
                bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FullUrl(p.Id!), Resource = p, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Include } });
            }
        }

        bundle.Total = bundle.Entry.Count(e => e.Resource is Observation);
        return bundle;
    }

    /// <summary>A run's id: the record's, and for a compact record the stream's place in it (<c>.s0</c>, <c>.s1</c>...).</summary>
    private static string RunId(RecordRow r, int? stream) =>
        $"{r.Chain.Gw}.{r.Chain.Lane}.{r.Chain.Epoch[..12]}.{r.Seq.ToString(CultureInfo.InvariantCulture)}"
        + (stream is { } j ? $".s{j.ToString(CultureInfo.InvariantCulture)}" : string.Empty);

    private static IEnumerable<Observation> Observations(string baseId, ObsReading obs, DateTimeOffset? since)
    {
        var isVital = obs.Code.StartsWith("loinc:", StringComparison.Ordinal);
        if (!isVital)
        {
            yield return Waveform(baseId, obs);
            yield break;
        }

        for (var i = 0; i < obs.Values.Count; i++)
        {
            var at = obs.TimeOf(i);
            if (since is not null && at < since)
            {
                continue;
            }

            var o = Base($"{baseId}.{i.ToString(CultureInfo.InvariantCulture)}", obs, Loinc, obs.Code["loinc:".Length..]);
            o.Category.Add(Laboratory.Contains(obs.Code)
                ? new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")
                : new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs"));
            o.Effective = new FhirDateTime(at);
            if (obs.Values[i] is { } v)
            {
                o.Value = new Quantity { Value = (decimal)v, Unit = obs.Unit, System = Ucum, Code = obs.Unit };
            }
            else
            {
                o.DataAbsentReason = new CodeableConcept("http://terminology.hl7.org/CodeSystem/data-absent-reason", "error", "Error");
            }

            yield return o;
        }
    }

    private static Observation Waveform(string id, ObsReading obs)
    {
        var code = obs.Code.StartsWith("mdc:", StringComparison.Ordinal) ? obs.Code["mdc:".Length..] : obs.Code;
        var o = Base(id, obs, Mdc, code);
        o.Effective = new Period(new FhirDateTime(obs.T0), new FhirDateTime(obs.TimeOf(Math.Max(0, obs.Values.Count - 1))));
        o.Value = new SampledData
        {
            Origin = new Quantity { Value = 0, Unit = obs.Unit, System = Ucum, Code = obs.Unit },
            Period = (decimal)obs.Dt,
            Dimensions = 1,
            Data = string.Join(' ', obs.Values.Select(v => v is { } d ? d.ToString("R", CultureInfo.InvariantCulture) : "E")),
        };
        return o;
    }

    private static Observation Base(string id, ObsReading obs, string system, string code) => new()
    {
        Id = id,
        Status = ObservationStatus.Final,
        Code = new CodeableConcept(system, code),
        Subject = new ResourceReference($"Patient/{obs.Patient}"),
        Device = new ResourceReference($"Device/{obs.Device}"),
    };

    private static Provenance ProvenanceFor(RecordRow cp, List<string> targets)
    {
        var sig = CheckpointSignature.Read(cp.Payload);
        var device = new ResourceReference($"Device/{cp.Chain.Gw}") { Display = $"gateway {cp.Chain.Gw}" };
        var p = new Provenance
        {
            Id = $"{cp.Chain.Gw}.{cp.Chain.Lane}.{cp.Chain.Epoch[..12]}.cp{cp.Seq.ToString(CultureInfo.InvariantCulture)}",
            Target = targets.Select(t => new ResourceReference(t)).ToList(),
            Recorded = cp.Ts ?? cp.ReceivedAt,
            Agent = [new Hl7.Fhir.Model.Provenance.AgentComponent { Who = device }],
            Entity =
            [
                new Provenance.EntityComponent
                {
                    Role = Provenance.ProvenanceEntityRole.Source,
                    What = new ResourceReference
                    {
                        Identifier = new Identifier("urn:edgetwin:etp1:record", $"{cp.Chain.Gw}/{cp.Chain.Lane}/{cp.Chain.Epoch}/{cp.Seq.ToString(CultureInfo.InvariantCulture)}"),
                        Display = $"ETP/1 checkpoint, sha256 {cp.Hash}",
                    },
                },
            ],
        };
        if (sig is not null)
        {
            p.Signature.Add(new Signature
            {
                Type = [new Coding("urn:iso-astm:E1762-95:2013", "1.2.840.10065.1.12.1.5", "Verification Signature")],
                When = cp.Ts ?? cp.ReceivedAt,
                Who = device,
                SigFormat = "application/vnd.edgetwin.etp1-checkpoint",
                Data = sig,
            });
        }

        return p;
    }

    private static string FullUrl(string id)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id));
        return $"urn:uuid:{new Guid(digest.AsSpan(0, 16))}";
    }
}
