namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Alarms;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Inference;
using EdgeTwin.Inference.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

public class AlarmServiceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void UplinkDown_DesaturationOfUnboundDevice_ReachesAnnunciatorAndAlarmLane()
    {
        using var h = new Harness();
        h.Uplink.IsConnected = false;
        h.Context.Devices.Add(("mon-1", DeviceHealth.Ok));

        // 20 s of SpO2 80 % from a device nobody is admitted to.
        for (var s = 0; s < 20; s++)
        {
            h.Observer.OnSample(new Sample("mon-1", StreamCodes.SpO2, h.Time.GetUtcNow(), 80));
            h.Service.Round();
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(AnnunciationLevel.High, h.Annunciator.Level);
        var critical = Assert.Single(h.Appender.Alarms, a => a.Condition == "spo2-critical");
        Assert.Equal(("unattributed", "mon-1", "high", "raised", "rule"), (critical.Patient, critical.Device, critical.Priority, critical.State, critical.Source));
        Assert.Empty(h.Context.Reported); // a device-bed is no patient of the twin

        // The uplink stays down: after UplinkDownAfter (60 s) the gateway alarms about itself too.
        for (var s = 0; s < 45; s++)
        {
            h.Observer.OnSample(new Sample("mon-1", StreamCodes.SpO2, h.Time.GetUtcNow(), 80));
            h.Service.Round();
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var uplink = Assert.Single(h.Appender.Alarms, a => a.Condition == "uplink-down");
        Assert.Equal(("unattributed", "gateway", "raised"), (uplink.Patient, uplink.Device, uplink.State));
    }

    [Fact]
    public void StorageFull_RaisesTheStorageFullTechnicalAlarmAtOnce_DesaturationStillSounds_AndItClearsWhenSpaceReturns()
    {
        using var h = new Harness();
        h.Uplink.IsConnected = true;
        h.Context.Devices.Add(("mon-1", DeviceHealth.Ok));
        h.Storage.SetFull(h.Time.GetUtcNow(), "No space left on device");
        h.Service.Round();

        var full = Assert.Single(h.Appender.Alarms, a => a.Condition == "storage-full");
        Assert.Equal(("unattributed", "gateway", "medium", "raised"), (full.Patient, full.Device, full.Priority, full.State));
        Assert.Equal(AnnunciationLevel.Medium, h.Annunciator.Level);

        for (var s = 0; s < 20; s++)
        {
            h.Observer.OnSample(new Sample("mon-1", StreamCodes.SpO2, h.Time.GetUtcNow(), 80));
            h.Service.Round();
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(AnnunciationLevel.High, h.Annunciator.Level);
        Assert.Single(h.Appender.Alarms, a => a.Condition == "spo2-critical" && a.State == "raised");

        h.Storage.SetAvailable();
        h.Service.Round();
        Assert.Single(h.Appender.Alarms, a => a.Condition == "storage-full" && a.State == "cleared");
    }

    [Fact]
    public void AStorageFullEpisodeBetweenTwoRounds_IsRaisedAllTheSame_AndClearedAtTheNextRound()
    {
        using var h = new Harness();
        h.Uplink.IsConnected = true;
        h.Service.Round();

        // Full and recovered within a second (the reserve let the outbox go on): observations were not kept.
        h.Storage.SetFull(h.Time.GetUtcNow(), "No space left on device");
        h.Storage.SetAvailable();
        h.Service.Round();
        Assert.Single(h.Appender.Alarms, a => a.Condition == "storage-full" && a.State == "raised");

        h.Time.Advance(AlarmService.Interval);
        h.Service.Round();
        Assert.Single(h.Appender.Alarms, a => a.Condition == "storage-full" && a.State == "cleared");
        h.Service.Round();
        Assert.Equal(2, h.Appender.Alarms.Count(a => a.Condition == "storage-full"));
    }

    [Fact]
    public void News2_OnlyHeartRateSeen_ReportedAsIncomplete_NamingEachMissingParameter()
    {
        using var h = new Harness();
        h.Uplink.IsConnected = true;
        const string Patient = "pt-0123456789abcdef0123456789abcdef";
        h.Context.Bindings["mon-1"] = Patient;
        h.Observer.OnSample(new Sample("mon-1", StreamCodes.HeartRate, h.Time.GetUtcNow(), 135));
        h.Service.Round();

        var (patient, name, value, band, missing, sources) = Assert.Single(h.Context.Scores);
        Assert.Equal((Patient, "news2", 3.0, "low-medium"), (patient, name, value, band)); // pulse 131+ scores 3: a red score
        Assert.DoesNotContain("pulse", missing.Keys);
        Assert.Equal(new Dictionary<string, string> { ["pulse"] = "loinc:8867-4" }, sources);
        Assert.Equal("no-data", missing["spo2"]);
        Assert.Equal("no-data", missing["respiration-rate"]);
        Assert.Equal("no-data", missing["temperature"]);
    }

    [Fact]
    public void AlarmsConsentWithheld_AnnunciatedAndReportedButNotRecorded()
    {
        using var h = new Harness();
        h.Uplink.IsConnected = true;
        h.Context.Bindings["mon-1"] = "pt-0123456789abcdef0123456789abcdef";
        h.Context.AlarmsWithheld.Add("pt-0123456789abcdef0123456789abcdef");
        for (var s = 0; s < 20; s++)
        {
            h.Observer.OnSample(new Sample("mon-1", StreamCodes.HeartRate, h.Time.GetUtcNow(), 30));
            h.Service.Round();
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(AnnunciationLevel.High, h.Annunciator.Level);
        Assert.Empty(h.Appender.Alarms);
        Assert.Contains(("pt-0123456789abcdef0123456789abcdef", "hr-low", "raised"), h.Context.Reported);
    }

    [Fact]
    public async Task NurseCallPress_AcknowledgesOpenAlarms_RecordedAndAnnunciatorSilenced()
    {
        using var h = new Harness();
        h.Uplink.IsConnected = true;
        h.Context.Bindings["mon-1"] = "pt-0123456789abcdef0123456789abcdef";
        await h.Service.StartAsync(CancellationToken.None);
        try
        {
            for (var s = 0; s < 20; s++)
            {
                h.Observer.OnSample(new Sample("mon-1", StreamCodes.SpO2, h.Time.GetUtcNow(), 88));
                h.Time.Advance(TimeSpan.FromSeconds(1));
                await Until(() => h.Time.GetUtcNow() <= h.LastRound(), "a round at the new time");
            }

            await Until(() => h.Annunciator.Level != AnnunciationLevel.None, "an alarm annunciated");
            h.Button.Press(h.Time.GetUtcNow());
            await Until(() => h.Appender.Alarms.Any(a => a.State == "acknowledged"), "an acknowledged record");
            await Until(() => h.Annunciator.Level == AnnunciationLevel.Low, "steady light without sound");
            Assert.Contains(h.Appender.Alarms, a => (a.Patient, a.Condition, a.State) == ("pt-0123456789abcdef0123456789abcdef", "spo2-low", "acknowledged"));
        }
        finally
        {
            await h.Service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The wall clock stepped back an hour (NTP correcting a box that ran fast): rounds go on every
    /// second on the monotonic timer. A round used to be due at the wall time of the last one plus a
    /// second, and the wait for it lasted the hour the clock had gone back.
    /// </summary>
    [Fact]
    public async Task WallClockStepsBackAnHour_RoundsGoOnEverySecond()
    {
        var clock = new SteppedClock();
        using var h = new Harness(clock: clock);
        h.Uplink.IsConnected = true;
        await h.Service.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => h.LastRound() > DateTimeOffset.MinValue, "a first round");
            var before = h.LastRound();
            clock.Offset = TimeSpan.FromHours(-1);
            await Until(() => h.LastRound() < before, "a round on the stepped-back clock");
            var stepped = h.LastRound();
            await Until(() => h.LastRound() > stepped, "the round after it");
            Assert.True(before - h.LastRound() > TimeSpan.FromMinutes(59), $"rounds at {before:O}, then {stepped:O} and {h.LastRound():O}");
        }
        finally
        {
            await h.Service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Issue 6, "a model-sourced record appears when the model's condition is met": the real shipped
    /// model (hash checked as configured by default) on a sepsis-like course fed on a fake clock; the
    /// deterioration model's alarm goes to the alarm lane with source <c>model:&lt;id&gt;</c>.
    /// </summary>
    [Fact]
    public void ShippedModel_SepsisLikeCourse_ModelSourcedAlarmRecordedOnAlarmLane()
    {
        using var h = new Harness(modelEnabled: true);
        h.Uplink.IsConnected = true;
        h.Context.Devices.Add(("mon-1", DeviceHealth.Ok));
        Assert.True(h.Engine.ModelStatus.Available, h.Engine.ModelStatus.ToString());

        // 90 min from normal to septic (HR 80 -> 125, RR 16 -> 26, SpO2 97 -> 93 %, SBP 125 -> 92,
        // 37.0 -> 39.2 degC), then 30 min held; HR, RR, SpO2 every 10 s, cuff and thermometer every 5 min.
        for (var step = 0; step < 120 * 6; step++)
        {
            var f = Math.Min(1.0, step / (90.0 * 6));
            var now = h.Time.GetUtcNow();
            h.Observer.OnSample(new Sample("mon-1", StreamCodes.HeartRate, now, 80 + (45 * f)));
            h.Observer.OnSample(new Sample("mon-1", StreamCodes.RespiratoryRate, now, 16 + (10 * f)));
            h.Observer.OnSample(new Sample("mon-1", StreamCodes.SpO2, now, 97 - (4 * f)));
            if (step % 30 == 0)
            {
                h.Observer.OnSample(new Sample("mon-1", StreamCodes.SystolicBp, now, 125 - (33 * f)));
                h.Observer.OnSample(new Sample("mon-1", StreamCodes.BodyTemperature, now, 37.0 + (2.2 * f)));
            }

            h.Service.Round();
            h.Time.Advance(TimeSpan.FromSeconds(10));
        }

        var model = h.Appender.Alarms.FirstOrDefault(a => a.Source.StartsWith("model:", StringComparison.Ordinal));
        Assert.True(model is not null, "no model-sourced alarm recorded; recorded: " + string.Join(", ", h.Appender.Alarms.Select(a => $"{a.Condition}/{a.Source}/{a.State}")));
        Assert.Equal(("model:" + ShippedModel.Id, "model-deterioration", "raised", "unattributed", "mon-1"), (model.Source, model.Condition, model.State, model.Patient, model.Device));
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>The system's clock and timers, its wall time moved by <see cref="Offset"/> (a clock step).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _offsetTicks;

        public TimeSpan Offset
        {
            get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
            set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
        }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    private sealed class Harness : IDisposable
    {
        private readonly ServiceProvider _provider;

        public Harness(bool modelEnabled = false, TimeProvider? clock = null)
        {
            Time = new FakeTimeProvider(T0);
            var time = clock ?? Time;
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Inference:Model:Enabled"] = modelEnabled ? "true" : "false" })
                .Build();
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(time);
            services.AddEdgeTwinInference(configuration);
            _provider = services.BuildServiceProvider();
            Engine = _provider.GetRequiredService<InferenceEngine>();
            var queued = new AlarmChanges();
            Observer = new InferenceSampleObserver(Engine, Context, queued);
            Service = new AlarmService(Engine, queued, Appender, Uplink, Context, Annunciator, [Button], time, NullLogger<AlarmService>.Instance, Storage);
        }

        public FakeTimeProvider Time { get; }

        public InferenceEngine Engine { get; }

        public FakeAlarmContext Context { get; } = new();

        public DownUplink Uplink { get; } = new();

        public RecordingAlarmAppender Appender { get; } = new();

        public RecordingAnnunciator Annunciator { get; } = new();

        public StorageHealth Storage { get; } = new();

        public PressableButton Button { get; } = new();

        public InferenceSampleObserver Observer { get; }

        public AlarmService Service { get; }

        public DateTimeOffset LastRound() => Service.LastRound;

        public void Dispose()
        {
            Service.Dispose();
            _provider.Dispose();
        }
    }
}
