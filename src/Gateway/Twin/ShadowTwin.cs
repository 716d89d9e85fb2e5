namespace EdgeTwin.Gateway.Twin;

using System.Collections.Immutable;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// The in-memory twin: devices, patients, and the control state in force. Every sample passes
/// through <see cref="Observe"/>, so that path takes one short lock and allocates nothing for a
/// waveform sample. Control state only changes through <see cref="Commit"/>, after the
/// <see cref="TwinController"/> has made it durable.
/// </summary>
internal sealed class ShadowTwin
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DeviceInfo> _infos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceTwin> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PatientState> _patients = new(StringComparer.Ordinal);
    private readonly TwinConfiguration _local;
    private TwinControl _control;
    private TaskCompletionSource _devicesKnown = Known();

    /// <param name="defaultConsent">Stream classes taken as consented until a patient decides.</param>
    /// <param name="local">The configuration from the gateway's own settings, before any desired document.</param>
    public ShadowTwin(IEnumerable<StreamClass> defaultConsent, TwinConfiguration local)
    {
        _local = local;
        _control = new TwinControl(0, 0, null, DesiredSettings.None, local, new ConsentBook(defaultConsent), BindingBook.Empty);
    }

    public TwinControl Control
    {
        get
        {
            lock (_gate)
            {
                return _control;
            }
        }
    }

    /// <summary>Devices whose driver registered, with the streams they offer (desired settings are checked against them).</summary>
    public IReadOnlyDictionary<string, DeviceInfo> RegisteredDevices
    {
        get
        {
            lock (_gate)
            {
                return _infos.ToImmutableDictionary(StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// Completes once the drivers have registered their devices: desired device settings are
    /// checked against them, so a retained document arriving at connect waits for the pipeline.
    /// </summary>
    public Task WhenDevicesKnown => _devicesKnown.Task;

    /// <summary>Called before the host starts when drivers will register (<see cref="DevicesRegistered"/>) later.</summary>
    public void ExpectDevices()
    {
        if (_devicesKnown.Task.IsCompleted)
        {
            _devicesKnown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void DevicesRegistered() => _devicesKnown.TrySetResult();

    public void Restore(TwinSnapshot snapshot)
    {
        var consent = new ConsentBook(_control.Consent.Defaults);
        foreach (var (patient, grants) in snapshot.Consent)
        {
            foreach (var (streamClass, granted) in grants)
            {
                consent = consent.With(patient, streamClass, granted, out _);
            }
        }

        // Checked when applied; a device since removed from the box keeps its (idle) settings.
        ConfigurationMerge.TryMerge(_local, snapshot.Overlay, devices: null, out var configuration, out _);
        lock (_gate)
        {
            _control = new TwinControl(
                snapshot.DesiredVersion, snapshot.ReportedVersion, snapshot.LastRejected, snapshot.Overlay, configuration, consent, new BindingBook(snapshot.Bindings))
            {
                Hypercapnic = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, snapshot.Hypercapnic.IsDefault ? [] : snapshot.Hypercapnic),
            };
            foreach (var device in snapshot.Devices)
            {
                _devices[device.DeviceId] = device;
            }

            foreach (var patient in snapshot.Patients)
            {
                _patients[patient.Patient] = PatientState.From(patient);
            }
        }
    }

    public void RegisterDevice(DeviceInfo info)
    {
        lock (_gate)
        {
            _infos[info.DeviceId] = info;
            var known = _devices.GetValueOrDefault(info.DeviceId);
            _devices[info.DeviceId] = new DeviceTwin(info.DeviceId, info.Model, info.Serial, info.Firmware, known?.Health ?? DeviceHealth.Ok, known?.LastSample);
        }
    }

    /// <summary>Returns whether the health changed (a change is worth reporting).</summary>
    public bool SetDeviceHealth(string deviceId, DeviceHealth health)
    {
        lock (_gate)
        {
            var device = _devices.GetValueOrDefault(deviceId) ?? Unregistered(deviceId);
            _devices[deviceId] = device with { Health = health };
            return device.Health != health;
        }
    }

    /// <summary>Notes a sample in the twin and says whose it is and whether it may be published.</summary>
    public SampleAttribution Observe(in Sample sample)
    {
        lock (_gate)
        {
            var device = _devices.GetValueOrDefault(sample.DeviceId) ?? Unregistered(sample.DeviceId);
            if (device.LastSample is not { } last || sample.Timestamp > last)
            {
                _devices[sample.DeviceId] = device with { LastSample = sample.Timestamp };
            }

            var patient = _control.Bindings.PatientAt(sample.DeviceId, sample.Timestamp);
            if (patient is null)
            {
                return new SampleAttribution(SampleAttribution.Unattributed, MayPublish: true);
            }

            if (sample.Stream.Kind == StreamKind.Vital)
            {
                var state = PatientLocked(patient);
                if (!state.Vitals.TryGetValue(sample.Stream.Code, out var latest) || sample.Timestamp >= latest.At)
                {
                    state.Vitals[sample.Stream.Code] = new VitalReading(sample.Stream.Code, sample.Stream.Unit, sample.Value, sample.Timestamp, sample.DeviceId);
                }
            }

            return new SampleAttribution(patient, _control.Consent.Allows(patient, StreamClasses.Of(sample.Stream)));
        }
    }

    /// <summary>Whether records of <paramref name="streamClass"/> about <paramref name="patient"/> may leave the box now.</summary>
    public bool MayPublish(string patient, StreamClass streamClass)
    {
        if (string.Equals(patient, SampleAttribution.Unattributed, StringComparison.Ordinal))
        {
            return true;
        }

        lock (_gate)
        {
            return _control.Consent.Allows(patient, streamClass);
        }
    }

    /// <summary>The pseudonym bound to a device at a time, or <see cref="SampleAttribution.Unattributed"/>.</summary>
    public string PatientAt(string deviceId, DateTimeOffset at)
    {
        lock (_gate)
        {
            return _control.Bindings.PatientAt(deviceId, at) ?? SampleAttribution.Unattributed;
        }
    }

    public void SetScore(string patient, ScoreReading score)
    {
        lock (_gate)
        {
            PatientLocked(patient).Scores[score.Name] = score;
        }
    }

    /// <summary>Returns whether the alarm state changed: such a change is reported at once.</summary>
    public bool SetAlarmState(string patient, string condition, string state, string priority, DateTimeOffset at)
    {
        lock (_gate)
        {
            var alarms = PatientLocked(patient).Alarms;
            var changed = !alarms.TryGetValue(condition, out var current) || !string.Equals(current.State, state, StringComparison.Ordinal);

            // A manager's answer belongs to the alarm it answered: a raise after the clear is a new alarm.
            var newAlarm = current is null || (current.State == "cleared" && state != "cleared");
            var response = newAlarm ? null : current!.Response;
            alarms[condition] = new AlarmReading(condition, state, priority, at, response);
            return changed;
        }
    }

    /// <summary>
    /// Shows a manager's answer on the patient's reading of <paramref name="condition"/>; false (nothing
    /// changed) when the twin holds no reading of it.
    /// </summary>
    public bool SetAlarmResponse(string patient, string condition, AlarmResponse response)
    {
        lock (_gate)
        {
            if (!_patients.TryGetValue(patient, out var state) || !state.Alarms.TryGetValue(condition, out var current))
            {
                return false;
            }

            state.Alarms[condition] = current with { Response = response };
            return true;
        }
    }

    public TwinSnapshot Snapshot() => Snapshot(null);

    /// <summary>A snapshot with <paramref name="control"/> in place of the control state in force (to persist it before committing).</summary>
    public TwinSnapshot Snapshot(TwinControl? control)
    {
        lock (_gate)
        {
            var c = control ?? _control;
            return new TwinSnapshot(
                c.DesiredVersion,
                c.ReportedVersion,
                c.LastRejected,
                c.Overlay,
                c.Consent.Patients.Order(StringComparer.Ordinal).ToImmutableSortedDictionary(
                    p => p, p => c.Consent.Explicit(p).ToImmutableSortedDictionary(), StringComparer.Ordinal),
                [.. c.Bindings.Windows],
                [.. _devices.Values.OrderBy(d => d.DeviceId, StringComparer.Ordinal)],
                [.. _patients.Values.Select(p => p.ToTwin()).OrderBy(p => p.Patient, StringComparer.Ordinal)])
            {
                Hypercapnic = [.. c.Hypercapnic],
            };
        }
    }

    public void Commit(TwinControl control)
    {
        lock (_gate)
        {
            _control = control;

            // Observations of patients no stay or consent remembers any more are not kept either.
            var known = control.Bindings.Windows.Select(w => w.Patient).Concat(control.Consent.Patients).ToHashSet(StringComparer.Ordinal);
            foreach (var patient in _patients.Keys.Where(p => !known.Contains(p)).ToList())
            {
                _patients.Remove(patient);
            }
        }
    }

    private PatientState PatientLocked(string patient)
    {
        if (!_patients.TryGetValue(patient, out var state))
        {
            state = new PatientState(patient);
            _patients[patient] = state;
        }

        return state;
    }

    private static TaskCompletionSource Known()
    {
        var known = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        known.SetResult();
        return known;
    }

    private static DeviceTwin Unregistered(string deviceId) => new(deviceId, "unregistered", string.Empty, string.Empty, DeviceHealth.Ok, null);
}
