namespace EdgeTwin.Ingest.Processing;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Topics;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;
using EdgeTwin.Telemetry.Wire;

/// <summary>One gateway's messages inside one transaction.</summary>
internal sealed class GatewayBatch
{
    private readonly TimeProvider _time;
    private readonly string _gw;
    private readonly List<PlannedMessage> _items;
    private readonly List<ChainId> _chains;
    private readonly ChainVerification? _verifier;
    private readonly string? _enrolled;
    private readonly bool _anchoring;
    private readonly List<AlertRow> _alerts = [];
    private readonly List<ReceiptDue> _receipts = [];
    private readonly Dictionary<ChainId, long> _rejected = [];
    private readonly HashSet<ChainId> _resend = [];
    private readonly HashSet<ChainId> _unenrolledBefore = [];
    private readonly Dictionary<ChainId, string> _cutOff = [];
    private readonly Dictionary<ChainId, KeyRotation> _sealed = [];
    private readonly Dictionary<ChainId, string> _unreadable = [];
    private readonly Dictionary<string, int> _evidenceByProblem = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _evidenceDropped = new(StringComparer.Ordinal);

    /// <summary>Each chain's figures once its records are in (<see cref="ToConfirmAsync"/>): the report walks the held records, so it is taken once.</summary>
    private readonly Dictionary<ChainId, ChainFigures> _figures = [];

    /// <summary>The highest seq <see cref="ConfirmStoredAsync"/> saw stored with its hash: a receipt there needs no look-up.</summary>
    private readonly Dictionary<ChainId, (long Seq, string Hash)> _confirmed = [];

    // The genesis records this batch stored, with their reasons: the reason of the one that becomes data without a read.
    private readonly Dictionary<ChainId, (string Hash, string? Reason)> _genesisStored = [];
    private List<KeyRotation> _rotations = [];
    private string? _effective;
    private IWriteSession _session = null!;
    private DateTimeOffset _now;
    private int _stored;
    private int _duplicates;
    private int _linksRestored;
    private int _evidence;
    private int _alarmsQueued;

    // What the batch took from the worker's shared budget and alert throttles, given back should its transaction roll back.
    private readonly List<Action> _undo = [];

    public GatewayBatch(TimeProvider time, string gw, string? enrolled, ChainVerification? verifier, List<PlannedMessage> items, List<ChainId> chains, bool anchoring)
    {
        _anchoring = anchoring;
        _enrolled = enrolled;
        _time = time;
        _gw = gw;
        _items = items;
        _chains = chains;
        _verifier = verifier;
    }

    /// <summary>The evidence problem of a re-sent record whose stored one retention dropped.</summary>
    public const string ExpiredProblem = "expired";

    /// <summary>The gateway whose messages these are.</summary>
    public string Gw => _gw;

    /// <summary>The (chain, seq) of every record this batch may store.</summary>
    public IEnumerable<(ChainId Chain, long Seq)> ExpectedRecords =>
        _items.Where(i => i.Chain is { } c && _chains.Contains(c)).Select(i => (i.Chain!.Value, i.Header!.Seq));

    /// <summary>The alarm reporter's queue, when alarm managers are configured.</summary>
    public AlarmQueue? Alarms { get; init; }

    /// <summary>How much of what this worker sets aside it keeps (null: all of it).</summary>
    public EvidenceBudget? EvidenceBudget { get; init; }

    /// <summary>
    /// The alerts of messages set aside over the evidence budget (not kept): at most one per kind and chain
    /// (or gateway, for a message of no chain) and minute, so a flood cannot fold a fork into the over-budget alert.
    /// </summary>
    public AlertThrottle? OverBudgetAlerts { get; init; }

    /// <summary>At most one <c>replay</c> alert per chain and minute on this worker (null: one per chain and batch).</summary>
    public AlertThrottle? ReplayAlerts { get; init; }

    /// <summary>
    /// At most one <c>broken-link</c>, <c>bad-signature</c> or <c>unsigned-branch</c> alert from the chain's counters per
    /// chain and minute: anyone can publish a record that does not link, or a checkpoint of their own, on top of a
    /// chain after each of the gateway's checkpoints, and each raised one of these (the counts stay exact).
    /// </summary>
    public AlertThrottle? CounterAlerts { get; init; }

    /// <summary>Ingest:Retention is set: a verified seq with no stored record may be one it dropped.</summary>
    public bool RetentionOn { get; init; }

    /// <summary>Who signs for which gateway now; says why a chain's key no longer does.</summary>
    public GatewayEnrolment? Enrolment { get; init; }

    /// <summary>
    /// The first phase: chain states imported, every message verified and stored, set aside or refused.
    /// A batch of several gateways runs each phase for all of them before the next
    /// (<see cref="BatchProcessor"/>), so that one read of stored hashes serves every conclusion.
    /// </summary>
    public async Task AddAsync(IWriteSession session)
    {
        _session = session;
        _now = _time.GetUtcNow();
        _effective = _enrolled;
        if (_enrolled is not null)
        {
            // The enrolled address followed along the key rotations verified so far (docs/operations.md "Keys").
            _rotations = KeyHistory.Parse((await session.GatewayAsync(_gw).ConfigureAwait(false))?.KeyRotations);
            _effective = KeyHistory.Effective(_enrolled, _rotations);
            if (!Eip191.SameAddress(_effective, _enrolled))
            {
                _verifier!.Enrol(_effective);
            }
        }

        foreach (var chain in _chains)
        {
            var row = session.Chain(chain);
            if (_verifier!.Import(row) is { } unreadable)
            {
                // Not verified from a guess: the chain takes nothing until its state is repaired; the
                // batch's other chains and gateways go on (one bad row must not stall the ingest).
                _unreadable[chain] = unreadable;
                continue;
            }

            if (row.VerifiedThrough >= 0 && _verifier.KeyOf(chain) is { } key)
            {
                if (!KeyHistory.Signs(_enrolled, _rotations, chain.Lane, chain.Epoch, key, Enrolment?.RevokedReason(key) is not null, out var seal))
                {
                    // Verified under an address that no longer signs for the gateway (revoked, or replaced by
                    // a new enrolment): what was verified stays as it is, nothing more of this chain is taken.
                    _cutOff[chain] = key;
                }
                else if (seal is not null)
                {
                    // Handed over to a new key: taken up to its last record, nothing after it.
                    _sealed[chain] = seal;
                }
            }
            else if (_verifier.Figures(chain).Unenrolled)
            {
                _unenrolledBefore.Add(chain);
            }
        }

        // Records before the gateway's documents: a key rotation the records show (a key-rotation
        // genesis) is known before a status or reported twin signed by the new key is checked.
        foreach (var p in _items.Where(i => !IsDocument(i)).Concat(_items.Where(IsDocument)))
        {
            await OneAsync(p).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The second phase: records the verifier waits for brought back from the evidence; then, per chain
    /// that verified further, the seqs whose stored records <see cref="ConcludeAsync()"/> will confirm.
    /// </summary>
    public async Task<List<(ChainId Chain, long FromSeq, long ToSeq)>> ToConfirmAsync()
    {
        var ranges = new List<(ChainId, long, long)>();
        foreach (var chain in _chains)
        {
            if (_cutOff.ContainsKey(chain) || _unreadable.ContainsKey(chain))
            {
                continue;
            }

            await BringBackNeededAsync(chain).ConfigureAwait(false);
            var figures = _figures[chain] = _verifier!.Figures(chain);
            var before = _session.Chain(chain).VerifiedThrough;
            if (!figures.Unenrolled && figures.VerifiedThrough > before)
            {
                ranges.Add((chain, before + 1, figures.VerifiedThrough));
            }
        }

        return ranges;
    }

    /// <summary>The last phase (after <see cref="ToConfirmAsync"/>, whose figures it uses): each chain's verified seqs confirmed against the store, its figures, alerts and receipt.</summary>
    public async Task<BatchResult> ConcludeAsync()
    {
        foreach (var chain in _chains)
        {
            await ConcludeAsync(chain).ConfigureAwait(false);
        }

        return new BatchResult(_receipts, _alerts, _stored, _duplicates, _evidence, _alarmsQueued)
        {
            EvidenceByProblem = _evidenceByProblem, EvidenceDroppedByProblem = _evidenceDropped, LinksRestored = _linksRestored,
        };
    }

    private static bool IsDocument(PlannedMessage p) => p.Message.Name.Leaf is TopicLeaf.TwinReported or TopicLeaf.Status;

    private async Task OneAsync(PlannedMessage p)
    {
        if (IsDocument(p))
        {
            // A gateway document that is not the gateway's (unsigned, forged, another key) is evidence with an alert; an old genuine one is ignored.
            var problem = await GatewayDocuments.ApplyAsync(p.Message, _session, _now, _effective).ConfigureAwait(false);
            if (problem is not null and not GatewayDocuments.NotNewer)
            {
                await RejectAsync(p, problem, AlertKind.UnsignedDocument, null).ConfigureAwait(false);
            }

            return;
        }

        if (p.Problem is not null)
        {
            await RejectAsync(p, p.Problem, p.Problem.StartsWith("topic-mismatch", StringComparison.Ordinal) ? AlertKind.TopicMismatch : AlertKind.Rejected, null).ConfigureAwait(false);
            return;
        }

        if (_verifier is null)
        {
            if (Enrolment?.RevokedEnrolment(_gw) is { } revokedAddress)
            {
                var first = !_alerts.Exists(a => a.Kind == AlertKind.KeyCutOff);
                await RejectAsync(p, $"{EnrolmentProblems.RevokedKey}: gateway '{_gw}' is enrolled as {revokedAddress}, which is revoked ({Enrolment.RevokedReason(revokedAddress)}); nothing of it is taken until it is enrolled with a new address", first ? AlertKind.KeyCutOff : null, null).ConfigureAwait(false);
                return;
            }

            await RejectAsync(p, $"not-enrolled: gateway '{_gw}' has no enrolled address (Ingest:Enrolled:{_gw})", AlertKind.UnenrolledGateway, null).ConfigureAwait(false);
            return;
        }

        var header = p.Header!;
        var chain = p.Chain!.Value;
        if (_unreadable.TryGetValue(chain, out var why))
        {
            var first = !AlertedInBatch(AlertKind.ChainStateUnreadable, chain);
            await RejectAsync(p, $"{AlertKind.ChainStateUnreadable}: the stored verifier state of {chain.Lane} epoch {chain.Epoch} cannot be read ({why}); nothing of the chain is taken until it is repaired", first ? AlertKind.ChainStateUnreadable : null, null).ConfigureAwait(false);
            return;
        }

        if (_cutOff.TryGetValue(chain, out var cutKey))
        {
            await CutOffAsync(p, chain, cutKey).ConfigureAwait(false);
            return;
        }

        if (_sealed.TryGetValue(chain, out var seal) && header.Seq > seal.Seq)
        {
            var first = !AlertedInBatch(AlertKind.KeyCutOff, chain);
            await RejectAsync(p, $"{EnrolmentProblems.KeyCutOff}: the chain was handed over to {seal.To} at seq {seal.Seq} (key rotation); nothing after it is taken", first ? AlertKind.KeyCutOff : null, null).ConfigureAwait(false);
            return;
        }

        if (header.Kind == RecordKinds.Genesis && header.GenesisReason == WireNames.Of(GenesisReason.KeyRotation)
            && await AdmitRotationAsync(chain, header).ConfigureAwait(false) is { } refused)
        {
            await RejectAsync(p, refused, AlertKind.BadKeyRotation, null).ConfigureAwait(false);
            return;
        }

        var outcome = _verifier.Add(p.Message.Payload);
        // Its seq (or the one before it, or before its gap statement's first seq) is decided and the link there
        // not in memory: read back from the store (verified seqs only), then decided as before. Twice at most:
        // a late gap record may need the links at rest, then the one before its statement.
        for (var read = 0; read < 2 && outcome.Status == VerificationStatus.Rejected && outcome.Problem == VerifierProblems.LinksAtRest
            && _verifier.LinksAtRest(chain) is { } rest; read++)
        {
            var verified = _session.Chain(chain).VerifiedThrough;
            var stored = await _session.StoredHashesAsync(chain, rest.From, Math.Min(rest.To, verified)).ConfigureAwait(false);
            _verifier.RestoreLinks(chain, stored);
            _linksRestored++;
            outcome = _verifier.Add(p.Message.Payload);
        }

        switch (outcome.Status)
        {
            case VerificationStatus.New when _unenrolledBefore.Contains(chain):
                await RejectAsync(p, $"{VerifierProblems.UnenrolledKey}: the chain's genesis key is not the address enrolled for '{_gw}'", null, outcome.Hash).ConfigureAwait(false);
                break;
            case VerificationStatus.New when outcome.Problem == VerifierProblems.InsideGap:
                // Its seq was passed on a gap statement's word: no checkpoint vouches for any record there,
                // so whoever published it, it is not the chain's data (docs/ingest.md step 3).
                await SetAsideAsync(p, InsideGapProblem(header.Seq), outcome.Hash).ConfigureAwait(false);
                break;
            case VerificationStatus.New:
                await StoreAsync(p, outcome.Hash).ConfigureAwait(false);
                break;
            case VerificationStatus.Duplicate when await TakeStalledSeqAsync(p, chain, header, outcome.Hash).ConfigureAwait(false):
                break;
            case VerificationStatus.Duplicate:
                await DuplicateAsync(chain, header).ConfigureAwait(false);
                break;
            case VerificationStatus.Fork:
                await RejectAsync(p, $"fork: seq {header.Seq} already holds another record", AlertKind.Fork, outcome.Hash).ConfigureAwait(false);
                break;
            case VerificationStatus.Alternative:
                // Held by the verifier beside the stored record until a valid checkpoint decides; kept
                // aside (not refused, no alert) so ConcludeAsync can put it in its seq if it is the genuine one.
                await SetAsideAsync(p, $"{VerifierProblems.Alternative}: seq {header.Seq} holds another record no checkpoint covers yet", outcome.Hash).ConfigureAwait(false);
                NoteCheckpoint(chain, header, outcome.Hash);
                break;
            case VerificationStatus.Rejected when outcome.Problem == VerifierProblems.BeyondWindow:
                // Too far ahead to hold: not evidence of anything, the gateway resends it (unreceipted).
                break;
            case VerificationStatus.Rejected when outcome.Problem == VerifierProblems.BehindWindow:
                // Older than the verifier remembers: the store decides between repeat and fork.
                var stored = await _session.StoredHashesAsync(chain, header.Seq, header.Seq).ConfigureAwait(false);
                if (stored.TryGetValue(header.Seq, out var h) && h == outcome.Hash)
                {
                    _verifier.CountBehindAsDuplicate(chain);
                    await DuplicateAsync(chain, header).ConfigureAwait(false);
                }
                else if (h is null && !RetentionOn && header.Seq <= _session.Chain(chain).VerifiedThrough)
                {
                    // Verified, and every verified seq holds its record but one a gap statement passed
                    // (ConfirmStoredAsync): an inside-gap arrival, as the verifier says of one it remembers.
                    if (await _session.FindVariantAsync(chain, header.Seq, outcome.Hash).ConfigureAwait(false) is null)
                    {
                        await SetAsideAsync(p, InsideGapProblem(header.Seq), outcome.Hash).ConfigureAwait(false);
                    }
                    else
                    {
                        _duplicates++; // kept as evidence already
                        _verifier.CountBehindAsDuplicate(chain);
                    }
                }
                else if (h is null && RetentionOn && header.Seq <= _session.Chain(chain).VerifiedThrough)
                {
                    // Verified once, so stored once: its record is gone with a partition Ingest:Retention
                    // dropped. Nothing left to compare with: kept aside, not stored again, no fork alert; a
                    // gateway re-sending what was receipted gets its receipt again.
                    await SetAsideAsync(p, $"{ExpiredProblem}: seq {header.Seq} was verified and holds no record now (dropped by Ingest:Retention, or passed on a gap statement's word); the re-sent one is not compared nor stored again", outcome.Hash).ConfigureAwait(false);
                    if (header.Seq <= _session.Chain(chain).ReceiptedThrough)
                    {
                        _resend.Add(chain);
                    }
                }
                else if (!await TakeStalledSeqAsync(p, chain, header, outcome.Hash).ConfigureAwait(false))
                {
                    await RejectAsync(p, $"fork: seq {header.Seq} (behind the verifier's window) holds another record", AlertKind.Fork, outcome.Hash).ConfigureAwait(false);
                }

                break;
            default:
                await RejectAsync(p, outcome.Problem ?? "rejected by the verifier", AlertKindFor(outcome.Problem), outcome.Hash).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// A genesis that says the gateway rotated its key: its link must be signed by the key in force for
    /// the gateway (or by the key an already verified rotation of the other lane handed over from, to
    /// this same key). Verified, the rotation is kept with the gateway, the new key enrolled for the
    /// verifier, the old chain sealed at the link's seq, and an alert says so. Null when the genesis may
    /// go on to the verifier; else why it is refused (nothing changed).
    /// </summary>
    private async Task<string?> AdmitRotationAsync(ChainId chain, RecordHeader header)
    {
        if (header.Rotation is not { } link)
        {
            return $"{AlertKind.BadKeyRotation}: {header.RotationProblem ?? "a key-rotation genesis carries no rotation link"}";
        }

        var newKey = header.GenesisKey;
        if (newKey is null || !Eip191.IsAddress(newKey) || link.Epoch == chain.Epoch)
        {
            return $"{AlertKind.BadKeyRotation}: the genesis key is not an address, or the link names the genesis' own chain";
        }

        var signer = link.Signer(_gw, chain.Lane, newKey, out var sigProblem);
        var known = _rotations.Find(r => r.Lane == chain.Lane && r.Epoch == link.Epoch);
        if (known is not null)
        {
            return Eip191.SameAddress(known.To, newKey) && Eip191.SameAddress(known.From, signer) && known.Seq == link.Seq && known.Hash == link.Hash ? null
                : $"{AlertKind.BadKeyRotation}: chain {chain.Lane} {link.Epoch} was already handed over to {known.To} at seq {known.Seq}";
        }

        var inForce = signer is not null && Enrolment?.RevokedReason(signer) is null
            && (Eip191.SameAddress(signer, _effective) || _rotations.Exists(r => Eip191.SameAddress(r.From, signer) && Eip191.SameAddress(r.To, newKey)));
        if (!inForce)
        {
            // A genesis under the key already in force stands on its own (the operator enrolled the new
            // key first); its link is then not needed, and one that does not verify changes nothing.
            return Eip191.SameAddress(newKey, _effective) ? null
                : $"{AlertKind.BadKeyRotation}: the link is {(signer is null ? $"not signed ({sigProblem})" : $"signed by {signer}, not by the key in force for '{_gw}' ({_effective})")}";
        }

        var rotation = new KeyRotation(chain.Lane, link.Epoch, link.Seq, link.Hash, signer!, newKey, chain.Epoch, _now);
        _rotations.Add(rotation);
        var gateway = await _session.GatewayAsync(_gw).ConfigureAwait(false) ?? new GatewayRow { Gw = _gw, Site = _session.Chain(chain).Site, UpdatedAt = _now };
        await _session.SetGatewayAsync(gateway with { KeyRotations = KeyHistory.Write(_rotations) }).ConfigureAwait(false);
        _verifier!.Enrol(newKey);
        var oldChain = new ChainId(_gw, chain.Lane, link.Epoch);
        if (_chains.Contains(oldChain))
        {
            _sealed[oldChain] = rotation;
            _cutOff.Remove(oldChain);
        }

        var wasInForce = Eip191.SameAddress(signer, _effective);
        _effective = KeyHistory.Effective(_enrolled!, _rotations);
        await AlertAsync(AlertKind.KeyRotated, chain, 0, $"gateway '{_gw}' rotated its key from {signer} to {newKey}: {chain.Lane} epoch {link.Epoch} sealed at seq {link.Seq}, epoch {chain.Epoch} goes on under the new key{(wasInForce ? "; enrol the new address (Ingest:EnrolmentFile)" : "")}").ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// A checkpoint of the gateway's just held (stored, or beside a stranger's record at its seq): the chain's last
    /// sign of life, from which the watchdog counts silence. Only the gateway's own: a stranger's checkpoint, held
    /// as a candidate too, must not hide the silence of a gateway that stopped.
    /// </summary>
    private void NoteCheckpoint(ChainId chain, RecordHeader h, string hash)
    {
        if (h.Kind == RecordKinds.Checkpoint && _verifier!.IsGatewaysCheckpoint(chain, h.Seq, hash))
        {
            _session.SetChain(_session.Chain(chain) with { LastCheckpointAt = _now });
        }
    }

    private async Task StoreAsync(PlannedMessage p, string hash)
    {
        var h = p.Header!;
        var chain = p.Chain!.Value;
        var row = new RecordRow(chain, h.Seq, hash, h.Kind, p.Message.Name.Site, h.Ts, h.Patient, h.Code, p.Message.Payload, _now);
        if (!await _session.TryInsertRecordAsync(row).ConfigureAwait(false))
        {
            // The verifier holds no record at this seq any more: the stored one was decided against
            // (an unsigned branch record that arrived first). The newcomer takes its place.
            var displaced = (await _session.RecordsAsync(chain, h.Seq, h.Seq).ConfigureAwait(false)).FirstOrDefault();
            if (displaced is null || displaced.Hash == hash)
            {
                return;
            }

            await _session.ReplaceRecordAsync(row).ConfigureAwait(false);
            await UnsignedAsync(displaced).ConfigureAwait(false);
        }

        _stored++;
        NoteCheckpoint(chain, h, hash);
        if (h.Kind == RecordKinds.Genesis)
        {
            _genesisStored[chain] = (hash, h.GenesisReason);
        }
    }

    /// <summary>
    /// The chain's genesis just became data: its reason on the chain row and the <c>new-epoch</c> alert. Not when it
    /// arrives: a genesis is signed by nothing but the checkpoints that cover it, and anyone can publish one naming
    /// the gateway's address and any reason ("store-corrupt") for an epoch of their own making.
    /// </summary>
    private async Task<string?> NewEpochAsync(ChainId chain)
    {
        string? reason;
        if (_genesisStored.TryGetValue(chain, out var stored) && _verifier!.TryLinked(chain, 0, out var linked) && linked == stored.Hash)
        {
            reason = stored.Reason; // stored by this batch and the one linked: no read (a PostgreSQL read would flush the batch's COPY early)
        }
        else
        {
            var genesis = (await _session.RecordsAsync(chain, 0, 0).ConfigureAwait(false)).FirstOrDefault(r => r.Kind == RecordKinds.Genesis);
            reason = genesis is not null && RecordHeader.TryParse(genesis.Payload, out var header, out _) ? header!.GenesisReason : null;
        }

        await AlertAsync(AlertKind.NewEpoch, chain, 0, $"new epoch, reason: {reason ?? "not stated"}").ConfigureAwait(false);
        return reason;
    }

    private async Task DuplicateAsync(ChainId chain, RecordHeader header)
    {
        _duplicates++;
        if (_verifier!.TryLinked(chain, header.Seq, out var linked) && linked is null)
        {
            return; // a repeat of an inside-gap arrival (kept as evidence): never stored, nor receipted
        }

        if (header.Seq <= _session.Chain(chain).ReceiptedThrough)
        {
            // A repeat of what was receipted: a replay, or a gateway that missed its receipt (and re-sends
            // everything it holds). One alert per chain and minute: anyone can replay thousands of records in
            // batch after batch, and each is counted under the chain's duplicates anyway.
            _resend.Add(chain);
            if (Due(ReplayAlerts, AlertKind.Replay, chain))
            {
                await AlertAsync(AlertKind.Replay, chain, header.Seq, "a record already stored, verified and receipted arrived again (the chain's further repeats for a minute are counted under its duplicates, not alerted)").ConfigureAwait(false);
            }
        }
    }

    /// <summary>A record of a cut-off chain: evidence, and one alert per chain and batch.</summary>
    private async Task CutOffAsync(PlannedMessage p, ChainId chain, string key)
    {
        var through = _session.Chain(chain).VerifiedThrough;
        var problem = Enrolment?.RevokedReason(key) is { } reason
            ? $"{EnrolmentProblems.RevokedKey}: the chain is signed by {key}, revoked ({reason}); nothing after seq {through} of it is taken"
            : $"{EnrolmentProblems.KeyCutOff}: the chain is signed by {key}, no longer the address enrolled for '{_gw}' ({_effective}); nothing after seq {through} of it is taken";
        var first = !AlertedInBatch(AlertKind.KeyCutOff, chain);
        await RejectAsync(p, problem, first ? AlertKind.KeyCutOff : null, null).ConfigureAwait(false);
    }

    /// <summary>A message as evidence, within the worker's budget (<see cref="EvidenceBudget"/>); false: over it, counted and not kept.</summary>
    private async Task<bool> SetAsideAsync(PlannedMessage p, string problem, string? hash)
    {
        var m = p.Message;
        string? bucket = null;
        var verdict = EvidenceBudget?.Take(m.Name.Gw, _now, out bucket);
        if (verdict == EvidenceBudget.Verdict.Keep)
        {
            var budget = EvidenceBudget!;
            _undo.Add(() => budget.Return(bucket));
        }
        else if (verdict is not null)
        {
            // Never a record the gateway loses: what is set aside is never receipted, so the gateway still holds its own.
            var code = EvidenceProblem.Code(problem);
            _evidenceDropped[code] = _evidenceDropped.GetValueOrDefault(code) + 1;
            var worker = verdict == EvidenceBudget.Verdict.OverWorker;
            if (Due(EvidenceBudget!.Alerts, worker ? EvidenceBudget.Others : m.Name.Gw))
            {
                var alert = new AlertRow(_now, AlertKind.EvidenceOverBudget, m.Name.Gw, null, null, null, worker
                    ? $"{AlertKind.EvidenceOverBudget}: this worker sets aside more than Ingest:EvidencePerMinute ({EvidenceBudget.PerMinute}) messages a minute; the rest are counted in edgetwin_ingest_evidence_dropped, not kept (this alert at most once a minute)"
                    : $"{AlertKind.EvidenceOverBudget}: more than Ingest:EvidencePerGatewayPerMinute ({EvidenceBudget.PerGatewayPerMinute}) messages a minute set aside on the topics of gateway '{m.Name.Gw}'; the rest are counted in edgetwin_ingest_evidence_dropped, not kept (first: {problem}; this alert at most once a minute per gateway)");
                await _session.AddAlertAsync(alert).ConfigureAwait(false);
                _alerts.Add(alert);
            }

            return false;
        }

        await _session.AddEvidenceAsync(new EvidenceRow(_now, m.Topic, m.Name.Gw, problem, m.Payload)
        {
            Chain = p.Chain,
            Seq = p.Header?.Seq,
            Hash = hash,
        }).ConfigureAwait(false);
        Evidence(problem, 1);
        return true;
    }

    private void Evidence(string problem, int count)
    {
        _evidence += count;
        var code = EvidenceProblem.Code(problem);
        _evidenceByProblem[code] = _evidenceByProblem.GetValueOrDefault(code) + count;
    }

    private static string InsideGapProblem(long seq) =>
        $"{VerifierProblems.InsideGap}: seq {seq} was passed on a gap statement's word; no checkpoint vouches for a record there, so it is kept, not stored as the chain's data";

    /// <summary>A record stored at a seq a gap statement then passed: to the evidence, out of the chain's records.</summary>
    private async Task InsideGapStoredAsync(ChainId chain, long seq)
    {
        if ((await _session.RecordsAsync(chain, seq, seq).ConfigureAwait(false)).FirstOrDefault() is not { } record)
        {
            return;
        }

        await StoredToEvidenceAsync(record, InsideGapProblem(seq)).ConfigureAwait(false);
        Evidence(InsideGapProblem(seq), 1);
        await _session.DeleteRecordAsync(chain, seq).ConfigureAwait(false);
    }

    /// <summary>A stored record a valid checkpoint showed not to be the gateway's: to the evidence (counted, as all evidence).</summary>
    private async Task UnsignedAsync(RecordRow displaced)
    {
        var problem = $"{VerifierProblems.UnsignedBranch}: superseded by the record a valid checkpoint covers at this seq";
        await StoredToEvidenceAsync(displaced, problem).ConfigureAwait(false);
        Evidence(problem, 1);
    }

    /// <summary>A stored record as evidence (its topic names where it was stored).</summary>
    private Task StoredToEvidenceAsync(RecordRow record, string problem) =>
        _session.AddEvidenceAsync(new EvidenceRow(_now, $"(stored {record.Chain} seq {record.Seq})", record.Chain.Gw, problem, record.Payload)
        {
            Chain = record.Chain,
            Seq = record.Seq,
            Hash = record.Hash,
        });

    private async Task RejectAsync(PlannedMessage p, string problem, string? alertKind, string? hash)
    {
        var kept = await SetAsideAsync(p, problem, hash).ConfigureAwait(false);
        if (p.Chain is { } c)
        {
            _rejected[c] = _rejected.GetValueOrDefault(c) + 1;
        }

        // Over the evidence budget the messages not kept raise their kind of alert at most once a minute per
        // chain (a fork stays a fork alert), beside the over-budget one.
        if (alertKind is not null && (kept || Due(OverBudgetAlerts, $"{alertKind}|{p.Message.Name.Gw}|{p.Header?.Lane}|{p.Header?.Epoch}")))
        {
            var alert = new AlertRow(_now, alertKind, p.Message.Name.Gw, p.Header?.Lane, p.Header?.Epoch, p.Header?.Seq, problem);
            await _session.AddAlertAsync(alert).ConfigureAwait(false);
            _alerts.Add(alert);
        }
    }

    /// <summary>Whether an alert about <paramref name="key"/> is due by <paramref name="throttle"/> (always without one); its mark is taken back should the batch roll back.</summary>
    private bool Due(AlertThrottle? throttle, string key)
    {
        if (throttle is null)
        {
            return true;
        }

        if (!throttle.Due(key, _now, out var marked))
        {
            return false;
        }

        var at = _now;
        _undo.Add(() => throttle.Forget(marked, at));
        return true;
    }

    /// <summary>Whether a <paramref name="kind"/> alert about <paramref name="chain"/> is due: none this batch yet, and due by <paramref name="throttle"/>.</summary>
    private bool Due(AlertThrottle? throttle, string kind, ChainId chain) =>
        !AlertedInBatch(kind, chain) && Due(throttle, $"{kind}|{chain.Gw}|{chain.Lane}|{chain.Epoch}");

    /// <summary>
    /// The batch's transaction rolled back: what it took from the worker's evidence budget and the alert marks it
    /// made go back, so the retry keeps the same evidence and raises the same alerts (its alerts were never stored).
    /// </summary>
    public void RolledBack()
    {
        foreach (var undo in _undo)
        {
            undo();
        }

        _undo.Clear();
    }

    /// <summary>Whether this batch raised an alert of <paramref name="kind"/> about <paramref name="chain"/> already (one per chain and batch).</summary>
    private bool AlertedInBatch(string kind, ChainId chain) =>
        _alerts.Exists(a => a.Kind == kind && a.Gw == chain.Gw && a.Lane == chain.Lane && a.Epoch == chain.Epoch);

    private async Task AlertAsync(string kind, ChainId chain, long? seq, string detail)
    {
        var alert = new AlertRow(_now, kind, chain.Gw, chain.Lane, chain.Epoch, seq, detail);
        await _session.AddAlertAsync(alert).ConfigureAwait(false);
        _alerts.Add(alert);
    }

    private async Task ConcludeAsync(ChainId chain)
    {
        var before = _session.Chain(chain);
        if (_cutOff.ContainsKey(chain) || _unreadable.ContainsKey(chain))
        {
            // The stored state stays as it is (an unreadable one for the operator to see and repair).
            _session.SetChain(before with { Rejected = before.Rejected + _rejected.GetValueOrDefault(chain) });
            return;
        }

        var figures = _figures[chain];
        if (figures.Unenrolled && !_unenrolledBefore.Contains(chain))
        {
            var moved = await MoveToEvidenceAsync(chain).ConfigureAwait(false);
            await AlertAsync(AlertKind.UnenrolledSigner, chain, 0, $"{VerifierProblems.UnenrolledKey}: genesis key is not the address enrolled for '{chain.Gw}'; {moved} records kept as evidence").ConfigureAwait(false);
        }

        var verifiedThrough = figures.Unenrolled ? -1 : await ConfirmStoredAsync(chain, before.VerifiedThrough, figures.VerifiedThrough).ConfigureAwait(false);
        verifiedThrough = await SealedThroughAsync(chain, verifiedThrough).ConfigureAwait(false);
        if (_anchoring && verifiedThrough > before.VerifiedThrough)
        {
            // The checkpoints this batch verified join the leaf log in the same transaction (issue 17).
            await _session.AddAnchorLeavesAsync(chain, before.VerifiedThrough + 1, verifiedThrough).ConfigureAwait(false);
        }

        if (Alarms is not null && chain.Lane == WireNames.Alarm && verifiedThrough > before.VerifiedThrough)
        {
            await QueueAlarmsAsync(chain, before, verifiedThrough).ConfigureAwait(false);
        }

        var genesisReason = before.VerifiedThrough < 0 && verifiedThrough >= 0 ? await NewEpochAsync(chain).ConfigureAwait(false) : before.GenesisReason;

        var after = before with
        {
            VerifierState = _verifier!.Export(chain, verifiedThrough),
            Received = figures.Received,
            VerifiedThrough = verifiedThrough,
            Verified = figures.Verified,
            Pending = figures.Pending,
            Missing = figures.Missing,
            Duplicates = figures.Duplicates,
            Forks = figures.Forks,
            BadSignatures = figures.BadSignatures,
            BrokenLinks = figures.BrokenLinks,
            UnsignedBranch = figures.UnsignedBranch,
            GapCovered = figures.GapCovered,
            Rejected = before.Rejected + _rejected.GetValueOrDefault(chain),
            MissingSince = figures.Missing == 0 ? null : before.MissingSince ?? _now,
            GapAlerted = figures.Missing != 0 && before.GapAlerted,
            FirstSeenAt = before.Received == 0 && before.FirstSeenAt == DateTimeOffset.UnixEpoch ? _now : before.FirstSeenAt,
            GenesisReason = genesisReason,
        };

        if (_sealed.TryGetValue(chain, out var seal) && verifiedThrough == seal.Seq && figures.VerifiedThrough == seal.Seq - 1)
        {
            // The closing checkpoint is verified by the rotation link (SealedThroughAsync), not by the verifier.
            after = after with { Verified = figures.Verified + 1, Pending = Math.Max(0, figures.Pending - 1) };
        }

        // Counters the verifier found worse, when no per-record alert in this batch said so already.
        await CounterAlertAsync(chain, AlertKind.BrokenLink, before.BrokenLinks, after.BrokenLinks).ConfigureAwait(false);
        await CounterAlertAsync(chain, AlertKind.BadSignature, before.BadSignatures, after.BadSignatures).ConfigureAwait(false);
        await CounterAlertAsync(chain, AlertKind.UnsignedBranch, before.UnsignedBranch, after.UnsignedBranch).ConfigureAwait(false);

        // A gateway resending receipted records did not get the receipt: send it again.
        if ((after.VerifiedThrough > before.ReceiptedThrough || (_resend.Contains(chain) && before.ReceiptedThrough >= 0))
            && await ReceiptAsync(chain, before.Site, Math.Max(after.VerifiedThrough, before.ReceiptedThrough)).ConfigureAwait(false) is { } receipt)
        {
            _receipts.Add(receipt);
            after = after with { ReceiptedThrough = receipt.Seq };
        }

        _session.SetChain(after);
    }

    /// <summary>Alarm records that just became data go to the alarm managers' queues in this same transaction.</summary>
    private async Task QueueAlarmsAsync(ChainId chain, ChainRow before, long verifiedThrough)
    {
        var records = await _session.RecordsAsync(chain, before.VerifiedThrough + 1, verifiedThrough).ConfigureAwait(false);
        var problems = await Alarms!.QueueAsync(_session, chain, before.Site, records, _now).ConfigureAwait(false);
        _alarmsQueued += records.Count(r => r.Kind == RecordKinds.Alarm) - problems.Count;
        foreach (var (seq, problem) in problems)
        {
            await AlertAsync(AlertKind.AlarmNotForwarded, chain, seq, $"alarm record not forwarded to the alarm managers: {problem}").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The receipt through <paramref name="through"/>, naming the stored record's hash there. A seq
    /// passed on a gap statement's word has no record (nor has the gateway): the receipt then names
    /// the highest stored seq below it. Null when none is stored.
    /// </summary>
    private async Task<ReceiptDue?> ReceiptAsync(ChainId chain, string site, long through)
    {
        if (_confirmed.TryGetValue(chain, out var confirmed) && confirmed.Seq == through)
        {
            return new ReceiptDue(site, chain.Gw, chain.Lane, chain.Epoch, through, confirmed.Hash);
        }

        var hashes = await _session.StoredHashesAsync(chain, through, through).ConfigureAwait(false);
        if (hashes.Count == 0)
        {
            hashes = await _session.StoredHashesAsync(chain, Math.Max(0, through - ChainVerification.RecentWindow), through).ConfigureAwait(false);
        }

        if (hashes.Count == 0)
        {
            return null;
        }

        var seq = hashes.Keys.Max();
        return new ReceiptDue(site, chain.Gw, chain.Lane, chain.Epoch, seq, hashes[seq]);
    }

    /// <summary>
    /// How far the chain is verified *and stored as linked*: every newly verified seq must hold
    /// the record the verifier linked there. A fork variant that linked takes its seq back from
    /// the evidence; where the linked record is not stored, verification stops short of it.
    /// </summary>
    /// <summary>
    /// A sealed chain's last record (the checkpoint after its key-rotation event) is covered by no later
    /// checkpoint, but by the rotation link, which the old key signed over its hash: once everything
    /// before it is verified and the record stored there has that hash, the chain is verified through it.
    /// </summary>
    private async Task<long> SealedThroughAsync(ChainId chain, long verifiedThrough)
    {
        if (!_sealed.TryGetValue(chain, out var seal) || verifiedThrough != seal.Seq - 1)
        {
            return verifiedThrough;
        }

        var stored = await _session.StoredHashesAsync(chain, seal.Seq, seal.Seq).ConfigureAwait(false);
        return stored.TryGetValue(seal.Seq, out var hash) && hash == seal.Hash ? seal.Seq : verifiedThrough;
    }

    private async Task<long> ConfirmStoredAsync(ChainId chain, long from, long to)
    {
        if (to <= from)
        {
            return _sealed.TryGetValue(chain, out var seal) && from == seal.Seq && to == seal.Seq - 1 ? from : Math.Min(from, to);
        }

        var stored = await _session.StoredHashesAsync(chain, from + 1, to).ConfigureAwait(false);
        Dictionary<long, string>? derived = null;
        for (var seq = from + 1; seq <= to; seq++)
        {
            var hasLinked = _verifier!.TryLinked(chain, seq, out var linkedHash);
            if (hasLinked && linkedHash is null)
            {
                // Passed on a gap statement's word: nothing to store. A record held and stored there
                // before the statement was decided is vouched for by nothing: to the evidence.
                if (stored.ContainsKey(seq))
                {
                    await InsideGapStoredAsync(chain, seq).ConfigureAwait(false);
                }

                continue;
            }

            stored.TryGetValue(seq, out var storedHash);
            if (!hasLinked)
            {
                // Decided in an earlier batch whose confirmation stopped short of it, and since out of the
                // verifier's memory of links: never taken on trust (it would take whatever is stored there,
                // a stranger's record first at its seq too); its hash follows from the links above it.
                if (derived is null || !derived.ContainsKey(seq))
                {
                    derived = await ForgottenLinksAsync(chain, seq, useNoted: derived is null).ConfigureAwait(false);
                }

                if (!derived.TryGetValue(seq, out linkedHash))
                {
                    return seq - 1;
                }
            }

            if (storedHash is not null && storedHash == linkedHash)
            {
                _confirmed[chain] = (seq, storedHash);
                continue;
            }

            if (linkedHash is not null && await _session.FindVariantAsync(chain, seq, linkedHash).ConfigureAwait(false) is { } variant
                && RecordHeader.TryParse(variant.Payload, out var h, out _))
            {
                var displaced = (await _session.RecordsAsync(chain, seq, seq).ConfigureAwait(false)).FirstOrDefault();
                await PutLinkedAsync(chain, seq, linkedHash, h!, _session.Chain(chain).Site, variant.Payload, displaced).ConfigureAwait(false);

                _confirmed[chain] = (seq, linkedHash);
                continue;
            }

            // The linked record is neither stored nor whole in the evidence (a record larger than the
            // evidence keeps, set aside while a stranger's held its seq): verified up to here until the
            // gateway re-sends it (TakeStalledSeqAsync). Said once per stall (and worker).
            if (_verifier.StalledAt(chain, seq) is null)
            {
                _verifier.NoteStalled(chain, seq, linkedHash!);
                await AlertAsync(AlertKind.VerificationStalled, chain, seq, $"a valid checkpoint covers record {linkedHash} at seq {seq}, which is neither stored nor whole in the evidence: the chain is verified through seq {seq - 1} until the gateway re-sends it").ConfigureAwait(false);
            }

            return seq - 1;
        }

        return to;
    }

    /// <summary>Most stored records read to find the hashes the chain links where the verifier no longer remembers them.</summary>
    internal const int MaxForgottenLinks = 16_384;

    private const int ForgottenLinksPage = 256;

    /// <summary>
    /// The hashes the chain links from <paramref name="lo"/> up, which the verifier no longer remembers:
    /// from the lowest seq above it that the verifier does remember (whose stored record must be the one
    /// linked there), each stored record's <c>prev</c> names the hash linked at the seq below. Down to
    /// <paramref name="lo"/>, or to the first stored record that is not the one its successor names (its
    /// seq's hash is given: the caller looks for the genuine record). Empty where that cannot be known (a
    /// gap statement passed the seq above, more than <see cref="MaxForgottenLinks"/> seqs to read).
    /// With <paramref name="useNoted"/>, the hash noted where the confirmation stopped answers for <paramref name="lo"/> alone.
    /// </summary>
    private async Task<Dictionary<long, string>> ForgottenLinksAsync(ChainId chain, long lo, bool useNoted)
    {
        var derived = new Dictionary<long, string>();
        if (useNoted && _verifier!.StalledAt(chain, lo) is { } noted)
        {
            derived[lo] = noted;
            return derived;
        }

        // Only a decided seq has a linked hash to find (a record above the decided head is not decided yet).
        string? top = null;
        var w = lo + 1;
        var through = Math.Min(_verifier!.LinkedThrough(chain), lo + MaxForgottenLinks);
        while (w <= through && !_verifier.TryLinked(chain, w, out top))
        {
            w++;
        }

        if (top is null)
        {
            return derived;
        }

        // Page by page from the top (records may be up to 64 KiB each: not thousands of them at once).
        var expected = top;
        for (var s = w; s > lo;)
        {
            var pageLo = Math.Max(lo, s - ForgottenLinksPage);
            var page = (await _session.RecordsAsync(chain, pageLo, s).ConfigureAwait(false)).ToDictionary(r => r.Seq);
            for (; s > pageLo; s--)
            {
                if (!page.TryGetValue(s, out var r) || r.Hash != expected || RecordHeader.ReadPrev(r.Payload) is not { } prev)
                {
                    return derived;
                }

                expected = prev;
                derived[s - 1] = prev;
                if (page.TryGetValue(s - 1, out var below) && below.Hash != prev)
                {
                    return derived;
                }
            }
        }

        return derived;
    }

    /// <summary>
    /// A record arriving again at the seq where the chain's confirmation stopped (the gateway re-sends
    /// what it has no receipt for): when it is the record the chain links there, it takes the seq, and
    /// whatever was stored there goes to the evidence. False when it is not (nothing changed).
    /// </summary>
    private async Task<bool> TakeStalledSeqAsync(PlannedMessage p, ChainId chain, RecordHeader header, string hash)
    {
        var seq = header.Seq;
        if (seq != _session.Chain(chain).VerifiedThrough + 1)
        {
            return false;
        }

        if (!_verifier!.TryLinked(chain, seq, out var linked))
        {
            (await ForgottenLinksAsync(chain, seq, useNoted: true).ConfigureAwait(false)).TryGetValue(seq, out linked);
        }

        if (linked is null || linked != hash)
        {
            return false;
        }

        var displaced = (await _session.RecordsAsync(chain, seq, seq).ConfigureAwait(false)).FirstOrDefault();
        if (displaced?.Hash == hash)
        {
            return false;
        }

        await PutLinkedAsync(chain, seq, hash, header, p.Message.Name.Site, p.Message.Payload, displaced).ConfigureAwait(false);
        _stored++;
        return true;
    }

    /// <summary>Puts the record the chain links at its seq there; what was stored there (decided against) goes to the evidence.</summary>
    private async Task PutLinkedAsync(ChainId chain, long seq, string hash, RecordHeader h, string site, byte[] payload, RecordRow? displaced)
    {
        await _session.ReplaceRecordAsync(new RecordRow(chain, seq, hash, h.Kind, site, h.Ts, h.Patient, h.Code, payload, _now)).ConfigureAwait(false);
        if (displaced is not null)
        {
            await UnsignedAsync(displaced).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A record the verifier refused while strangers crowded its seq (kept as evidence) comes back
    /// when a valid checkpoint waits for it, so strangers cannot stall a chain by filling a seq first.
    /// </summary>
    private async Task BringBackNeededAsync(ChainId chain)
    {
        for (var i = 0; i < 1024 && _verifier!.Needed(chain) is { } needed; i++)
        {
            if (await _session.FindVariantAsync(chain, needed.Seq, needed.Hash).ConfigureAwait(false) is not { } variant
                || _verifier.Add(variant.Payload).Status is not (VerificationStatus.New or VerificationStatus.Alternative)
                || _verifier.Needed(chain) == needed)
            {
                return;
            }
        }
    }

    private async Task<int> MoveToEvidenceAsync(ChainId chain)
    {
        var rows = await _session.RecordsAsync(chain, 0, long.MaxValue).ConfigureAwait(false);
        foreach (var r in rows)
        {
            await _session.AddEvidenceAsync(new EvidenceRow(_now, $"(stored {chain} seq {r.Seq})", chain.Gw, VerifierProblems.UnenrolledKey, r.Payload)
            {
                Chain = chain,
                Seq = r.Seq,
                Hash = r.Hash,
            }).ConfigureAwait(false);
        }

        await _session.DeleteRecordsAsync(chain).ConfigureAwait(false);
        _stored -= rows.Count(r => r.ReceivedAt == _now);
        Evidence(VerifierProblems.UnenrolledKey, rows.Count);
        return rows.Count;
    }

    private async Task CounterAlertAsync(ChainId chain, string kind, long before, long after)
    {
        if (after <= before || !Due(CounterAlerts, kind, chain))
        {
            return;
        }

        await AlertAsync(kind, chain, null, $"{kind}: the verifier counts {after} (was {before})").ConfigureAwait(false);
    }

    private static string AlertKindFor(string? problem) => problem switch
    {
        VerifierProblems.UnenrolledKey => AlertKind.UnenrolledSigner,
        VerifierProblems.SignerMismatch => AlertKind.BadSignature,
        VerifierProblems.BrokenLink => AlertKind.BrokenLink,
        VerifierProblems.Fork => AlertKind.Fork,
        VerifierProblems.UnsignedBranch or VerifierProblems.TooManyAlternatives => AlertKind.UnsignedBranch,
        not null when problem.StartsWith(VerifierProblems.BadSig, StringComparison.Ordinal) => AlertKind.BadSignature,
        _ => AlertKind.Rejected,
    };
}
