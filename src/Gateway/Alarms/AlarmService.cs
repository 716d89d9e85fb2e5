namespace EdgeTwin.Gateway.Alarms;

using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Drivers.Gpio.NurseCall;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Inference;
using EdgeTwin.Inference.Alarms;
using EdgeTwin.Inference.News2;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

/// <summary>
/// Runs the inference engine in the gateway (docs/inference.md, "Wiring"): every
/// <see cref="Interval"/> on the injected clock it tells the alarm manager the uplink and device
/// health, calls <c>Evaluate</c>, and records each alarm change, in order, on the alarm lane (checkpointed and
/// committed at once) when the patient's alarm consent allows; changes caused by samples or the
/// nurse-call button are recorded as soon as they are queued. After each round the annunciator shows
/// <c>Annunciation()</c>: local annunciation depends neither on consent nor on the network, nor on
/// the disk (a full one raises the <c>storage-full</c> technical alarm, <see cref="StorageHealth"/>).
/// </summary>
internal sealed class AlarmService(
    InferenceEngine engine,
    AlarmChanges queued,
    IRecordAppender appender,
    IUplink uplink,
    IAlarmContext context,
    IAnnunciator annunciator,
    IEnumerable<INurseCallButton> buttons,
    TimeProvider time,
    ILogger<AlarmService> logger,
    StorageHealth? storage = null,
    GatewayMetrics? metrics = null,
    AlarmIdentities? identities = null) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly INurseCallButton[] _buttons = [.. buttons];
    private long _lastRound = DateTimeOffset.MinValue.UtcTicks;
    private long _storageEpisodes;

    /// <summary>The clock's time at the start of the latest round (tests wait on it).</summary>
    internal DateTimeOffset LastRound => new(Interlocked.Read(ref _lastRound), TimeSpan.Zero);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var button in _buttons)
        {
            button.Pressed += OnPressed;
        }

        var devices = new List<Task> { annunciator.RunAsync(stoppingToken) };
        devices.AddRange(_buttons.Select(b => b.RunAsync(stoppingToken)));
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what was queued is recorded below, the annunciator and buttons end.
        }
        finally
        {
            foreach (var button in _buttons)
            {
                button.Pressed -= OnPressed;
            }

            RecordQueued();
            await Task.WhenAll(devices.Select(IgnoreCancellation)).ConfigureAwait(false);
        }
    }

    /// <summary>One evaluation round (the loop's body; tests call it on a fake clock).</summary>
    internal void Round()
    {
        Interlocked.Exchange(ref _lastRound, time.GetUtcNow().UtcTicks);
        RecordQueued();
        Record(engine.Alarms.SetUplinkConnected(uplink.IsConnected));
        if (storage is not null)
        {
            // An episode that began and ended between two rounds (the reserve let the outbox recover at
            // once) is raised all the same, and cleared at the next round: observations were not kept.
            var episodes = storage.Episodes;
            Record(engine.Alarms.SetStorageFull(storage.Full || episodes != _storageEpisodes));
            _storageEpisodes = episodes;
        }

        var now = time.GetUtcNow();
        foreach (var (device, health) in context.DeviceHealth())
        {
            Record(engine.Alarms.SetDeviceHealth(AlarmPatients.EngineKey(context.PatientAt(device, now), device), device, health));
        }

        Record(engine.Evaluate());
        foreach (var summary in engine.Summaries())
        {
            if (summary.News2 is { } news2 && AlarmPatients.IsPatient(summary.Patient))
            {
                context.ReportScore(summary.Patient, "news2", news2.Aggregate, news2.At, News2Wire.Band(news2.Band), News2Wire.Missing(news2), News2Wire.Sources(news2));
            }
        }

        Annunciate();
    }

    /// <summary>Records what samples and buttons queued, then updates the annunciator.</summary>
    internal void RecordQueued()
    {
        var any = false;
        while (queued.TryDequeue(out var change))
        {
            Record(change);
            any = true;
        }

        if (any)
        {
            Annunciate();
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        // One timer for the whole run (monotonic: a wall clock stepped back by NTP does not hold the
        // rounds), not a delay to a wall time: with the wall clock stepped back an hour the next round
        // was due an hour later, and a delay made just after a fake clock moved counted its interval
        // from the new time, so the round due then waited a whole interval more.
        using var timer = new PeriodicTimer(Interval, time);
        Round();
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        Task? waiting = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            waiting ??= queued.WaitAsync(stoppingToken);
            if (await Task.WhenAny(waiting, tick).ConfigureAwait(false) == waiting)
            {
                await waiting.ConfigureAwait(false);
                waiting = null;
                RecordQueued();
                continue;
            }

            if (!await tick.ConfigureAwait(false))
            {
                break;
            }

            Round();
            tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        }
    }

    private void OnPressed(object? sender, NurseCallPressedEventArgs e)
    {
        // One box, one bed: the button acknowledges every patient's open alarms on this box.
        var patients = engine.Alarms.Active().Where(a => !a.Acknowledged || !a.ConditionPresent).Select(a => a.Patient).Distinct(StringComparer.Ordinal).ToList();
        AlarmLog.Acknowledged(logger, e.ButtonId, patients.Count);
        foreach (var patient in patients)
        {
            queued.Enqueue(engine.Alarms.Acknowledge(patient));
        }
    }

    private void Record(IReadOnlyList<AlarmStateChange> changes)
    {
        foreach (var change in changes)
        {
            Record(change);
        }
    }

    private void Record(AlarmStateChange change)
    {
        AlarmLog.Changed(logger, change.StateWire, change.PriorityWire, change.Condition, change.Source, change.Device);
        if (change.State == AlarmTransition.Raised)
        {
            metrics?.AlarmRaised(change.PriorityWire);
        }
        if (AlarmPatients.IsPatient(change.Patient))
        {
            context.ReportAlarm(change.Patient, change.Condition, change.StateWire, change.PriorityWire, change.At);
            if (!context.MayPublishAlarms(change.Patient))
            {
                return;
            }
        }

        var body = new AlarmBody(AlarmPatients.Wire(change.Patient), change.Device, change.PriorityWire, change.Condition,
            change.StateWire, change.Source, change.Value, change.Text);
        try
        {
            var record = appender.AppendAlarm(body);
            identities?.Appended(change.Patient, body, record);
        }
        catch (ArgumentException ex)
        {
            // ETP/1 refused the body: the annunciator still shows the alarm; the log says why it is not on the lane.
            AlarmLog.AlarmRejected(logger, change.Condition, change.Device, ex);
        }
    }

    private void Annunciate()
    {
        var level = engine.Alarms.Annunciation();
        if (annunciator.Level != level)
        {
            annunciator.Set(level);
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ended with the host.
        }
    }
}
