namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Gateway.Twin.Persistence;
using EdgeTwin.Telemetry.Desired;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

/// <summary>
/// A twin on a temporary data directory with recording fakes for the gateway parts. <see cref="Restart"/>
/// opens a new twin on the same files, as a reboot would.
/// </summary>
internal sealed class TwinFixture : IDisposable
{
    public static readonly StreamCode Hr = new("loinc:8867-4", "/min", StreamKind.Vital, 1, "Heart rate");
    public static readonly StreamCode Spo2 = new("loinc:59408-5", "%", StreamKind.Vital, 1, "SpO2");
    public static readonly StreamCode Ecg = new("mdc:131330", "mV", StreamKind.Waveform, 250, "ECG lead II");

    private static readonly byte[] SecretBytes = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private readonly string _directory = Directory.CreateTempSubdirectory("edgetwin-twin-").FullName;

    public TwinFixture()
    {
        Build();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero));

    public RecordingEventSink Sink { get; } = new();

    /// <summary>What the controller logged.</summary>
    public FakeLogger<TwinController> Log { get; } = new();

    /// <summary>The gateway's own settings; a test may change them before <see cref="Restart"/>.</summary>
    public TwinConfiguration Local { get; set; } = TwinConfiguration.Default;

    public RecordingTarget Target { get; } = new();

    public RecordingPatientTarget Patients { get; } = new();

    public Pseudonymizer Pseudonymizer { get; } = new(SiteSecret.FromBytes(SecretBytes));

    public TwinStore Store { get; private set; } = null!;

    public ShadowTwin Twin { get; private set; } = null!;

    public TwinController Controller { get; private set; } = null!;

    public ReportSignal Signal { get; private set; } = null!;

    public string StorePath => Path.Combine(_directory, "twin.db");

    public string FloorPath => Path.Combine(_directory, "desired-floor.json");

    public static DeviceInfo Device(string id, params StreamCode[] streams) => new(id, "sim", "SN-" + id, "1.0", null, [.. streams]);

    public void Restart()
    {
        Store.Dispose();
        Build();
    }

    /// <summary>A restart after <c>twin.db</c> (and its log) were lost; the floor file stays unless <paramref name="floorToo"/>.</summary>
    public void RestartWithTwinStoreLost(bool floorToo = false)
    {
        Store.Dispose();
        foreach (var file in Directory.GetFiles(_directory, "twin*"))
        {
            File.Delete(file);
        }

        if (floorToo)
        {
            File.Delete(FloorPath);
        }

        Build();
    }

    public string Pseudonym(string hospitalId) => Pseudonymizer.Pseudonymize(hospitalId);

    public void Dispose()
    {
        Store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void Build()
    {
        Store = TwinStore.Open(StorePath, TestStorageKey.Key);
        Twin = new ShadowTwin([StreamClass.Vitals, StreamClass.Waveforms, StreamClass.Alarms], Local);
        Twin.RegisterDevice(Device("mon-1", Hr, Spo2, Ecg));
        Twin.RegisterDevice(Device("mon-2", Hr, Spo2, Ecg));
        Signal = new ReportSignal();
        Controller = new TwinController(Twin, Store, Pseudonymizer, Sink, [Target], Signal, Time, Log, [Patients], new DesiredFloorFile(FloorPath));
    }
}
