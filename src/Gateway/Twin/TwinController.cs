namespace EdgeTwin.Gateway.Twin;

using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Gateway.Twin.Persistence;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Desired;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Every change of the twin's control state goes through here, one at a time: work out the new
/// state on a copy, write it with its events to the store (fsync), then put it in force, tell the
/// settings targets, append the events to the chain and wake the reporter. A refused change writes
/// only the rejection. Observations (alarm states, health, scores) come in here too so that they
/// can wake the reporter.
/// </summary>
internal sealed class TwinController(
    ShadowTwin twin,
    TwinStore store,
    Pseudonymizer pseudonymizer,
    ITwinEventSink events,
    IEnumerable<IDesiredSettingsTarget> targets,
    ReportSignal signal,
    TimeProvider time,
    ILogger<TwinController> logger,
    IEnumerable<IPatientStateTarget>? patientTargets = null,
    DesiredFloorFile? floorFile = null,
    IOptions<TwinOptions>? options = null)
{
    private const string HypercapnicChangedEvent = "hypercapnic-changed";

    /// <summary>What a change the twin store could not save is refused with.</summary>
    internal const string StorageFullProblem = "storage-full";

    /// <summary>At most one <c>desired-rejected</c> event per reason in this window; the next one counts those held back.</summary>
    private static readonly TimeSpan RejectionWindow = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, (DateTimeOffset At, long HeldBack)> _rejections = new(StringComparer.Ordinal);
    private readonly TimeSpan _desiredMaxAge = (options?.Value ?? new TwinOptions()).DesiredMaxAge;
    private readonly TimeSpan _maxClockSkew = (options?.Value ?? new TwinOptions()).MaxClockSkew;
    private readonly TimeSpan _bindingRetention = (options?.Value ?? new TwinOptions()).BindingRetention;
    private DesiredFloor _floor = DesiredFloor.None;
    private DateTimeOffset _startedAt;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IDesiredSettingsTarget[] _targets = [.. targets];
    private readonly IPatientStateTarget[] _patientTargets = [.. patientTargets ?? []];

    public ShadowTwin Twin => twin;

    /// <summary>Restores the persisted twin, puts its configuration in force and sends events a crash left behind.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var snapshot = store.Load();
        if (snapshot is not null)
        {
            twin.Restore(snapshot);
            TwinLog.Restored(logger, snapshot.DesiredVersion, snapshot.ReportedVersion, snapshot.Bindings.Length);
        }

        RestoreFloor();

        ApplyTargets(twin.Control.Configuration);
        foreach (var patient in twin.Control.Hypercapnic)
        {
            Each(_patientTargets, t => t.SetHypercapnic(patient, true));
        }

        await FlushEventsAsync(cancellationToken).ConfigureAwait(false);
        signal.Request(urgent: true);
    }

    /// <summary>
    /// Applies a verified document's settings; null when applied, else the reason it was refused
    /// (the refusal is then recorded as for <see cref="RejectDesiredAsync"/>).
    /// </summary>
    public Task<string?> ApplyDesiredAsync(long version, DesiredSettings settings, CancellationToken cancellationToken) =>
        ApplyDesiredAsync(version, time.GetUtcNow(), settings, cancellationToken);

    /// <summary>
    /// As above for a document issued at <paramref name="issued"/>: refused when older than the last
    /// applied one (<c>stale-issued</c>) or, with no floor known at all, issued before this start minus
    /// <c>Twin:DesiredMaxAge</c> (<c>too-old</c>): an old signed document is never a way back.
    /// </summary>
    public async Task<string?> ApplyDesiredAsync(long version, DateTimeOffset issued, DesiredSettings settings, CancellationToken cancellationToken)
    {
        string? problem;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var control = twin.Control;
            var next = control;
            var changes = new List<TwinEvent>();
            problem = CheckFloor(version, issued) ?? TryBuild(control, version, settings, now, out next, out changes);
            if (problem is null)
            {
                var applied = new TwinEvent("desired-applied", new JsonObject { ["version"] = version, ["issued"] = TwinTime.Format(issued) });
                if (!TrySave(next, [applied, .. changes], "desired state"))
                {
                    // Not saved, so not in force: the desired-state floor and consent stay as saved.
                    return StorageFullProblem;
                }

                _floor = _floor.Max(new DesiredFloor(version, issued));
                WriteFloor();
                twin.Commit(next);
                TwinLog.DesiredApplied(logger, version);
                LogChanges(changes);
                if (next.Configuration != control.Configuration)
                {
                    ApplyTargets(next.Configuration);
                }

                ApplyPatientTargets(control, next);
            }
            else
            {
                RecordRejectionLocked(version, problem, now);
            }
        }
        finally
        {
            _gate.Release();
        }

        signal.Request(urgent: true);
        await FlushEventsAsync(cancellationToken).ConfigureAwait(false);
        return problem;
    }

    /// <summary>Records a refused document: logged, kept as the twin's last rejection, and an event.</summary>
    /// <param name="detail">For the log line only (e.g. who signed it and whom the gateway trusts).</param>
    public async Task RejectDesiredAsync(long? version, string reason, CancellationToken cancellationToken, string? detail = null)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RecordRejectionLocked(version, reason, time.GetUtcNow(), detail);
        }
        finally
        {
            _gate.Release();
        }

        signal.Request(urgent: true);
        await FlushEventsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A binding command from the bedside (admit, transfer, discharge). Null when done, else why it
    /// was refused (the twin is then unchanged). <paramref name="at"/> null means now.
    /// </summary>
    public async Task<string?> BindLocalAsync(
        BindingAction action, string hospitalId, string? bed, IReadOnlyList<string> devices, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var binding = new DesiredBinding(action, hospitalId, bed, [.. devices], at);
        string? problem;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var control = twin.Control;
            var changes = new List<TwinEvent>();
            var bindings = control.Bindings;
            problem = CheckBindingShape(binding) ?? TryBind(control.Bindings, binding, "local", null, time.GetUtcNow(), changes, out bindings);
            if (problem is null)
            {
                var next = control with { Bindings = bindings, Hypercapnic = ClearEndedStays(control, bindings, null, changes) };
                if (TrySave(next, changes, "binding"))
                {
                    twin.Commit(next);
                    LogChanges(changes);
                    ApplyPatientTargets(control, next);
                }
                else
                {
                    problem = StorageFullProblem;
                }
            }
            else
            {
                TwinLog.BindingRefused(logger, problem);
            }
        }
        finally
        {
            _gate.Release();
        }

        if (problem is null)
        {
            signal.Request(urgent: true);
            await FlushEventsAsync(cancellationToken).ConfigureAwait(false);
        }

        return problem;
    }

    /// <summary>
    /// Persists the latest observations with the reported version about to be published, and forgets
    /// stays closed longer than <paramref name="retention"/> ago. Returns the version to publish.
    /// </summary>
    public async Task<long> PersistReportAsync(bool newVersion, TimeSpan retention, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var control = twin.Control;
            var next = control with
            {
                ReportedVersion = control.ReportedVersion + (newVersion ? 1 : 0),
                Bindings = control.Bindings.Prune(time.GetUtcNow() - retention),
            };
            // A report is an observation: when the disk is full it is published from memory (its
            // storage section says so) and saved with the next report that fits.
            TrySave(next, [], "reported state");
            twin.Commit(next);
            return next.ReportedVersion;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Appends the events the store still holds to the chain, oldest first; stops at the first failure and keeps the rest.</summary>
    public async Task FlushEventsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (id, pending) in store.PendingEvents())
            {
                try
                {
                    await events.AppendEventAsync(pending.Type, (JsonObject)pending.Fields.DeepClone(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    TwinLog.EventDeferred(logger, pending.Type, e.Message);
                    return;
                }

                try
                {
                    store.RemoveEvent(id);
                }
                catch (Exception e) when (StorageFaults.IsOutOfSpace(e))
                {
                    // Appended but still in the store: appended once more after a restart, never lost.
                    TwinLog.EventDeferred(logger, pending.Type, e.Message);
                    return;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An alarm state from the alarm engine; a change is reported at once.</summary>
    public void ObserveAlarm(string patient, string condition, string state, string priority, DateTimeOffset at)
    {
        if (twin.SetAlarmState(patient, condition, state, priority, at))
        {
            signal.Request(urgent: true);
        }
    }

    /// <summary>
    /// An alarm manager's answer the box accepted (signed by the ingest, for an alarm open here): shown
    /// on the patient's alarm when <paramref name="patient"/> names one the twin holds, and recorded as
    /// <paramref name="record"/> in the chain. False when the twin store could not save the event (the
    /// disk is full; logged), in which case it is shown but not recorded.
    /// </summary>
    public async Task<bool> RecordAlarmResponseAsync(string? patient, string condition, AlarmResponse response, TwinEvent record, CancellationToken cancellationToken)
    {
        bool saved;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (patient is not null)
            {
                twin.SetAlarmResponse(patient, condition, response);
            }

            saved = TrySave(twin.Control, [record], "alarm status");
        }
        finally
        {
            _gate.Release();
        }

        signal.Request(urgent: true);
        await FlushEventsAsync(cancellationToken).ConfigureAwait(false);
        return saved;
    }

    /// <summary>Records an event for the audit trail (saved with the twin, then appended to the chain).</summary>
    public async Task RecordEventAsync(TwinEvent record, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            TrySave(twin.Control, [record], record.Type);
        }
        finally
        {
            _gate.Release();
        }

        await FlushEventsAsync(cancellationToken).ConfigureAwait(false);
    }

    public void ObserveHealth(string deviceId, DeviceHealth health)
    {
        if (twin.SetDeviceHealth(deviceId, health))
        {
            signal.Request(urgent: false);
        }
    }

    public void ObserveScore(string patient, ScoreReading score) => twin.SetScore(patient, score);

    /// <summary>Saves <paramref name="next"/> with its events; false (logged) when the disk is full, and nothing changed.</summary>
    private bool TrySave(TwinControl next, IReadOnlyCollection<TwinEvent> newEvents, string operation)
    {
        try
        {
            store.Save(twin.Snapshot(next), newEvents);
            return true;
        }
        catch (Exception e) when (StorageFaults.IsOutOfSpace(e))
        {
            GatewayLog.TwinStoreFull(logger, store.Path, operation, e);
            return false;
        }
    }

    private string? TryBuild(TwinControl control, long version, DesiredSettings settings, DateTimeOffset now, out TwinControl next, out List<TwinEvent> changes)
    {
        next = control;
        changes = [];
        if (version <= control.DesiredVersion)
        {
            return "stale-version";
        }

        if (!ConfigurationMerge.TryMerge(control.Configuration, settings, twin.RegisteredDevices, out var configuration, out var problem))
        {
            return problem;
        }

        if (configuration.Thresholds != control.Configuration.Thresholds)
        {
            changes.Add(ThresholdsChanged(version, control.Configuration.Thresholds, configuration.Thresholds));
        }

        var consent = control.Consent;
        foreach (var (hospitalId, grants) in settings.Consent)
        {
            var patient = pseudonymizer.Pseudonymize(hospitalId);
            foreach (var (streamClass, granted) in grants)
            {
                consent = consent.With(patient, streamClass, granted, out var changed);
                if (changed)
                {
                    changes.Add(new TwinEvent("consent-changed", new JsonObject
                    {
                        ["version"] = version,
                        ["patient"] = patient,
                        ["stream"] = StreamClassNames.Name(streamClass),
                        ["granted"] = granted,
                    }));
                }
            }
        }

        var bindings = control.Bindings;
        for (var i = 0; i < settings.Bindings.Length; i++)
        {
            problem = TryBind(bindings, settings.Bindings[i], "desired", version, now, changes, out bindings);
            if (problem is not null)
            {
                return $"binding-refused:bindings[{i.ToString(CultureInfo.InvariantCulture)}]:{problem}";
            }
        }

        // A discharge clears the flag first, so a document that also flags the patient wins.
        var hypercapnic = ClearEndedStays(control, bindings, version, changes);
        foreach (var (hospitalId, flagged) in settings.Hypercapnic)
        {
            var patient = pseudonymizer.Pseudonymize(hospitalId);
            var flags = flagged ? hypercapnic.Add(patient) : hypercapnic.Remove(patient);
            if (flags != hypercapnic)
            {
                changes.Add(HypercapnicChanged(patient, flagged, "desired", version));
                hypercapnic = flags;
            }
        }

        next = control with
        {
            DesiredVersion = version,
            Overlay = control.Overlay.Then(settings),
            Configuration = configuration,
            Consent = consent,
            Bindings = bindings,
            Hypercapnic = hypercapnic,
        };
        return null;
    }

    /// <summary>Patients whose open stay <paramref name="after"/> closes: discharged.</summary>
    private static IEnumerable<string> EndedStays(BindingBook before, BindingBook after) =>
        before.Windows.Where(w => w.IsOpen && after.OpenWindow(w.Patient) is null).Select(w => w.Patient).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The flag belongs to the stay: a discharged patient's flag is cleared (an event), so a
    /// readmission starts on scale 1 until a clinician flags them again, and no flag outlives the
    /// patient's time on the ward.
    /// </summary>
    private static ImmutableSortedSet<string> ClearEndedStays(TwinControl control, BindingBook bindings, long? version, List<TwinEvent> changes)
    {
        var flags = control.Hypercapnic;
        foreach (var patient in EndedStays(control.Bindings, bindings).Where(flags.Contains))
        {
            flags = flags.Remove(patient);
            changes.Add(HypercapnicChanged(patient, false, "discharge", version));
        }

        return flags;
    }

    private static TwinEvent HypercapnicChanged(string patient, bool hypercapnic, string source, long? version)
    {
        var fields = new JsonObject { ["patient"] = patient, ["hypercapnic"] = hypercapnic, ["source"] = source };
        if (version is not null)
        {
            fields["version"] = version.Value;
        }

        return new TwinEvent(HypercapnicChangedEvent, fields);
    }

    private string? TryBind(BindingBook book, DesiredBinding binding, string source, long? version, DateTimeOffset now, List<TwinEvent> changes, out BindingBook next)
    {
        next = book;
        var registered = twin.RegisteredDevices;
        var unknown = binding.Devices.FirstOrDefault(d => !registered.ContainsKey(d));
        if (unknown is not null)
        {
            return "unknown-device:" + unknown;
        }

        var command = new BindingCommand(binding.Action, pseudonymizer.Pseudonymize(binding.HospitalId), binding.Bed, binding.Devices, binding.At ?? now, now);
        var problem = BindingTimes.Check(command.At, now, _maxClockSkew, _bindingRetention);
        if (problem is not null || !book.TryApply(command, out next, out problem))
        {
            return problem;
        }

        var fields = new JsonObject
        {
            ["patient"] = command.Patient,
            ["at"] = TwinTime.Format(command.At),
            ["source"] = source,
        };
        if (version is not null)
        {
            fields["version"] = version.Value;
        }

        if (command.Bed is not null)
        {
            fields["bed"] = command.Bed;
            fields["devices"] = new JsonArray([.. command.Devices.Select(d => (JsonNode)d)]);
        }

        changes.Add(new TwinEvent(EventType(command.Action), fields));
        return null;
    }

    /// <summary>The audit trail's record of changed alarm limits: <c>{"spo2Low":{"from":90,"to":88}}</c>.</summary>
    private static TwinEvent ThresholdsChanged(long version, AlarmThresholds before, AlarmThresholds after)
    {
        var limits = new JsonObject();
        foreach (var name in ThresholdCatalog.Names)
        {
            var (from, to) = (ThresholdCatalog.Get(before, name), ThresholdCatalog.Get(after, name));
            if (from != to)
            {
                limits[name] = new JsonObject { ["from"] = from, ["to"] = to };
            }
        }

        return new TwinEvent("alarm-thresholds-changed", new JsonObject { ["version"] = version, ["thresholds"] = limits });
    }

    private static string? CheckBindingShape(DesiredBinding binding)
    {
        var problem = HospitalId.Check(binding.HospitalId);
        if (problem is not null)
        {
            return problem;
        }

        var moves = binding.Action is BindingAction.Admit or BindingAction.Transfer;
        return moves && (!TwinNames.IsValidName(binding.Bed) || binding.Devices.IsEmpty || binding.Devices.Distinct(StringComparer.Ordinal).Count() != binding.Devices.Length)
            ? "admit and transfer need a valid bed and distinct devices"
            : !moves && (binding.Bed is not null || !binding.Devices.IsEmpty)
                ? "discharge takes no bed or devices"
                : null;
    }

    private static string EventType(BindingAction action) => action switch
    {
        BindingAction.Admit => "patient-admitted",
        BindingAction.Transfer => "patient-transferred",
        _ => "patient-discharged",
    };

    /// <summary>The newest desired document applied (version and issued), from the twin store and the floor file.</summary>
    public DesiredFloor Floor => _floor;

    /// <summary>
    /// A flood of refused documents (anyone can publish on <c>twin/desired</c>) must not become a
    /// flood of chain records and store writes: per reason, one <c>desired-rejected</c> event a
    /// minute, carrying in <c>heldBack</c> how many of that reason came since the previous one.
    /// The twin's last rejection is still updated every time.
    /// </summary>
    private void RecordRejectionLocked(long? version, string reason, DateTimeOffset now, string? detail = null)
    {
        var control = twin.Control;
        var next = control with { LastRejected = new DesiredRejection(version, reason, now) };
        if (_rejections.TryGetValue(reason, out var last) && now - last.At < RejectionWindow)
        {
            _rejections[reason] = (last.At, last.HeldBack + 1);
            twin.Commit(next);
            return;
        }

        var fields = new JsonObject { ["version"] = version, ["reason"] = reason };
        if (last.HeldBack > 0)
        {
            fields["heldBack"] = last.HeldBack;
        }

        var said = detail is null ? reason : $"{reason}: {detail}";
        TwinLog.DesiredRejected(logger, version, last.HeldBack > 0 ? $"{said} (and {last.HeldBack} more of this reason in the last minute)" : said);
        if (TrySave(next, [new TwinEvent("desired-rejected", fields)], "desired-state rejection"))
        {
            _rejections[reason] = (now, 0);
            twin.Commit(next);
        }
    }

    private string? CheckFloor(long version, DateTimeOffset issued)
    {
        if (version <= _floor.Version)
        {
            return "stale-version";
        }

        if (_floor.Issued is { } lastIssued && issued < lastIssued)
        {
            return "stale-issued";
        }

        return _floor.IsNone && issued < _startedAt - _desiredMaxAge ? "too-old" : null;
    }

    /// <summary>The floor is the higher of the twin store's version and the floor file; a store ahead of the file (or a lost file) is written back.</summary>
    private void RestoreFloor()
    {
        _startedAt = time.GetUtcNow();
        string? problem = null;
        var fromFile = floorFile?.Read(out problem) ?? DesiredFloor.None;
        if (problem is not null)
        {
            TwinLog.DesiredFloorUnreadable(logger, problem);
        }

        _floor = fromFile.Max(new DesiredFloor(twin.Control.DesiredVersion, null));
        if (_floor.IsNone)
        {
            TwinLog.NoDesiredFloor(logger, _startedAt - _desiredMaxAge);
        }
        else if (_floor != fromFile)
        {
            WriteFloor();
        }
    }

    private void WriteFloor()
    {
        try
        {
            floorFile?.Write(_floor);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The twin store holds the version; the file is the second copy. Said, not fatal.
            TwinLog.DesiredFloorUnwritable(logger, floorFile!.Path, ex.Message);
        }
    }

    private void LogChanges(IEnumerable<TwinEvent> changes)
    {
        // Changed alarm limits are logged by the alarm target that puts them in force.
        foreach (var change in changes.Where(c => !string.Equals(c.Type, "alarm-thresholds-changed", StringComparison.Ordinal)))
        {
            var patient = change.Fields["patient"]?.GetValue<string>() ?? string.Empty;
            if (string.Equals(change.Type, "consent-changed", StringComparison.Ordinal))
            {
                TwinLog.ConsentChanged(logger, patient, change.Fields["stream"]!.GetValue<string>(), change.Fields["granted"]!.GetValue<bool>());
            }
            else if (string.Equals(change.Type, HypercapnicChangedEvent, StringComparison.Ordinal))
            {
                TwinLog.HypercapnicChanged(logger, patient, change.Fields["hypercapnic"]!.GetValue<bool>(), change.Fields["source"]!.GetValue<string>());
            }
            else
            {
                TwinLog.Bound(logger, patient, change.Type, change.Fields["bed"]?.GetValue<string>(), change.Fields["source"]!.GetValue<string>());
            }
        }
    }

    private void ApplyTargets(TwinConfiguration configuration) => Each(_targets, t => t.Apply(configuration));

    /// <summary>Tells the patient targets what a committed change did: stays ended, flags changed.</summary>
    private void ApplyPatientTargets(TwinControl before, TwinControl after)
    {
        foreach (var patient in EndedStays(before.Bindings, after.Bindings))
        {
            Each(_patientTargets, t => t.StayEnded(patient));
        }

        foreach (var (patient, flagged) in after.Hypercapnic.Except(before.Hypercapnic).Select(p => (p, true))
            .Concat(before.Hypercapnic.Except(after.Hypercapnic).Select(p => (p, false))))
        {
            Each(_patientTargets, t => t.SetHypercapnic(patient, flagged));
        }
    }

    private void Each<T>(IEnumerable<T> targets, Action<T> apply)
        where T : class
    {
        foreach (var target in targets)
        {
            try
            {
                apply(target);
            }
            catch (Exception e)
            {
                // A target is not allowed to throw for a validated change; if one does, the
                // others still get it and the failure is loud.
                TwinLog.TargetFailed(logger, target.GetType().Name, e);
            }
        }
    }
}
