namespace EdgeTwin.Drivers.Ble;

using System.Threading.Channels;
using EdgeTwin.Drivers.Ble.BlueZ;
using EdgeTwin.Drivers.Ble.Gatt;
using EdgeTwin.Drivers.Diagnostics;
using EdgeTwin.Drivers.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tmds.DBus.Protocol;

/// <summary>
/// One Bluetooth LE health device read through BlueZ over D-Bus: connect the device, find the
/// profile's characteristic under it, StartNotify, and turn every Value change into samples. A
/// disconnect, a removed device, a lost bus or any D-Bus error makes the device Lost; the whole
/// session (bus connection included) is dropped and retried with back-off on the injected clock.
/// A notification saying "not a valid measurement" or a malformed one gives null samples and
/// Degraded; a malformed one is also counted and logged. A BlueZ signal whose body is not the
/// documented one is logged, counted and ignored; a malformed reply fails the session like a D-Bus
/// error. Nothing here throws out of RunAsync except cancellation.
/// </summary>
internal sealed partial class BleGattDriver : IDeviceDriver
{
    private readonly BleGattSettings _settings;
    private readonly IGattDecoder _decoder;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDeviceCursorStore _cursors;
    private volatile int _health = (int)DeviceHealth.Lost;
    private int _running;
    private long _malformed;
    private long _sessions;
    private long _failedAttempts;
    private long _clockOff;
    private long _clockWrites;
    private long _recordAccessFailures;
    private long _storedRecords;
    private long _repeatedRecords;
    private long _malformedSignals;

    public BleGattDriver(string deviceId, BleGattSettings settings, TimeProvider time, ILogger? logger = null, IDeviceCursorStore? cursors = null)
    {
        _settings = settings;
        _decoder = BleProfiles.Decoder(settings.Profile);
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _cursors = cursors ?? new InMemoryDeviceCursors();
        CursorKey = $"{deviceId}/{settings.Address}";
        Info = new DeviceInfo(deviceId, BleProfiles.Model(settings.Profile), settings.Address, "", $"ble-{settings.Adapter}/{settings.Address}", [.. _decoder.Streams.Select(s => s.Code)]);
    }

    public DeviceInfo Info { get; }

    /// <summary>Lost until the first notification session is set up.</summary>
    public DeviceHealth Health => (DeviceHealth)_health;

    /// <summary>Malformed notifications since start (each also logged and published as null samples).</summary>
    public long MalformedNotifications => Interlocked.Read(ref _malformed);

    /// <summary>Notification sessions set up since start (1 + reconnects), for diagnostics and tests.</summary>
    public long Sessions => Interlocked.Read(ref _sessions);

    /// <summary>Attempts to set up a session that failed (bus, BlueZ, device or characteristic missing, D-Bus errors).</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>Readings whose device time stamp was too far from the box clock to chart them at (charted at arrival instead).</summary>
    public long ClockOffReadings => Interlocked.Read(ref _clockOff);

    /// <summary>Times the device's clock was set through its Current Time characteristic.</summary>
    public long ClockWrites => Interlocked.Read(ref _clockWrites);

    /// <summary>Stored-record downloads (Record Access Control Point) that failed: an error response, no response in time, or the meter aborted.</summary>
    public long RecordAccessFailures => Interlocked.Read(ref _recordAccessFailures);

    /// <summary>Stored records received in answer to the Record Access Control Point and published.</summary>
    public long StoredRecords => Interlocked.Read(ref _storedRecords);

    /// <summary>Records the meter sent again although the box already held them (not published again).</summary>
    public long RepeatedRecords => Interlocked.Read(ref _repeatedRecords);

    /// <summary>BlueZ signals (PropertiesChanged, InterfacesRemoved) whose body was not the documented one, or a Value that was not bytes: ignored.</summary>
    public long MalformedSignals => Interlocked.Read(ref _malformedSignals);

    /// <summary>The key of this device's last-record cursor: the device id and the meter's address (a replaced meter starts afresh).</summary>
    public string CursorKey { get; }

    /// <summary>One more of a figure above, and the same on the drivers' meter (<c>edgetwin_device_ble_total{device,what}</c>).</summary>
    private void Count(ref long figure, string what)
    {
        Interlocked.Increment(ref figure);
        DriverMetrics.Ble(Info.DeviceId, what);
    }

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"Device {Info.DeviceId} is already running.");
        }

        try
        {
            // Sessions that never set up notifications are tried again with the growing back-off; one that
            // worked and ended starts it again from its first step.
            var sessions = _settings.Backoff.Pipeline<bool>(_time, notified => !notified);
            while (!cancellationToken.IsCancellationRequested)
            {
                await sessions.ExecuteAsync(ct => new ValueTask<bool>(OneSessionAsync(sink, ct)), cancellationToken).ConfigureAwait(false);
                await Task.Delay(_settings.Backoff.First, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of a run.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>One session, its failure logged and counted; the device is lost when it ends.</summary>
    /// <returns>Whether notifications were set up.</returns>
    private async Task<bool> OneSessionAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        var notified = false;
        try
        {
            notified = await RunSessionAsync(sink, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Count(ref _failedAttempts, "failed-attempt");
            LogSessionFailed(_logger, Info.DeviceId, _settings.DevicePath, error.GetType().Name, error.Message);
        }

        SetHealth(DeviceHealth.Lost, "no notification session");
        return notified;
    }

    /// <summary>One connection to the bus and the device, until the device goes away.</summary>
    /// <returns>Whether notifications were set up (so the back-off starts again from its first step).</returns>
    private async Task<bool> RunSessionAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        var ended = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var notifications = Channel.CreateUnbounded<BleNotification>(new UnboundedChannelOptions { SingleReader = true });
        using var bus = new BluezBus(_settings.BusAddress);
        await Bounded(bus.ConnectAsync(), cancellationToken).ConfigureAwait(false);
        _ = bus.DisconnectedAsync().ContinueWith(
            lost => ended.TrySetResult($"bus connection lost: {lost.Result?.Message ?? "closed"}"), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

        var devicePath = _settings.DevicePath;
        var manager = new BluezObjectManager(bus);
        var device = new BluezDevice(bus, devicePath);

        // Watches go up before Connect so that a disconnect in between is not missed.
        using var removed = await Bounded(manager.WatchInterfacesRemovedAsync(signal =>
        {
            if (MalformedSignal(signal.Problem))
            {
                return;
            }

            if (signal.Value.Path == devicePath && signal.Value.Interfaces.Contains(BluezNames.Device1))
            {
                ended.TrySetResult("device removed from BlueZ");
            }
        }), cancellationToken).ConfigureAwait(false);
        using var deviceWatch = await Bounded(device.WatchPropertiesAsync(signal =>
        {
            if (!MalformedSignal(signal.Problem) && signal.Value!.TryGetValue("Connected", out var connected))
            {
                if (connected.Type != VariantValueType.Bool)
                {
                    MalformedSignal($"Connected changed to a value of type {connected.Type}, not a boolean");
                }
                else if (!connected.GetBool())
                {
                    ended.TrySetResult("device disconnected");
                }
            }
        }), cancellationToken).ConfigureAwait(false);

        if (!await Bounded(device.GetBoolAsync("Connected"), cancellationToken).ConfigureAwait(false))
        {
            await Bounded(device.ConnectAsync(), cancellationToken).ConfigureAwait(false);
        }

        var characteristicPath = await FindCharacteristicAsync(manager, _decoder.CharacteristicUuid, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"no characteristic {_decoder.CharacteristicUuid} under {_settings.DevicePath} (services not resolved yet, or not this kind of device)");
        var clockError = await SetDeviceClockAsync(bus, manager, cancellationToken).ConfigureAwait(false);
        var characteristic = new BluezGattCharacteristic(bus, characteristicPath);
        using var valueWatch = await Bounded(characteristic.WatchPropertiesAsync(signal => Forward(signal, notifications.Writer, context: false)), cancellationToken).ConfigureAwait(false);
        await Bounded(characteristic.StartNotifyAsync(), cancellationToken).ConfigureAwait(false);
        using var records = _decoder is GlucoseMeasurementDecoder
            ? await DownloadStoredRecordsAsync(bus, manager, notifications, ended.Task, clockError, sink, cancellationToken).ConfigureAwait(false)
            : null;
        if (ended.Task.IsCompleted)
        {
            // Gone again while being set up: a failed attempt, not a session (no Ok in between).
            throw new InvalidOperationException(await ended.Task.ConfigureAwait(false));
        }

        Count(ref _sessions, "session");
        SetHealth(DeviceHealth.Ok, "notifications started");
        LogNotifying(_logger, Info.DeviceId, characteristicPath, _decoder.CharacteristicUuid);
        var reason = await PumpAsync(notifications.Reader, ended.Task, sink, records, cancellationToken).ConfigureAwait(false);
        LogSessionEnded(_logger, Info.DeviceId, reason);
        return true;
    }

    /// <summary>Writes samples for each notification until the session ends; returns why it ended.</summary>
    private async Task<string> PumpAsync(ChannelReader<BleNotification> reader, Task<string> ended, ISampleSink sink, GlucoseRecords? records, CancellationToken cancellationToken)
    {
        var readings = new List<GattReading>(2);
        while (true)
        {
            var waiting = reader.WaitToReadAsync(cancellationToken).AsTask();
            var first = await Task.WhenAny(waiting, ended).ConfigureAwait(false);
            if (first != ended)
            {
                await waiting.ConfigureAwait(false);
            }

            // Values that arrived just before a disconnect are still published.
            while (reader.TryRead(out var notification))
            {
                if (records is not null)
                {
                    await WriteRecordAsync(records, notification, storedClockError: null, stored: false, sink, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await WriteSamplesAsync(notification, readings, sink, cancellationToken).ConfigureAwait(false);
                }
            }

            if (records is not null)
            {
                await FlushRecordAsync(records, storedClockError: null, stored: false, sink, cancellationToken).ConfigureAwait(false);
            }

            if (ended.IsCompleted)
            {
                return await ended.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Health is set before the samples are written, so whoever sees a sample sees the health it came with.</summary>
    private async Task WriteSamplesAsync(BleNotification notification, List<GattReading> readings, ISampleSink sink, CancellationToken cancellationToken)
    {
        readings.Clear();
        var problem = _decoder.Decode(notification.Value, readings);
        if (problem is not null)
        {
            Malformed(problem, notification.Value, readings);
        }

        await PublishAsync(readings, problem, notification.ReceivedAt, null, sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts and logs a malformed or refused value; its readings become null samples of every stream of the profile.</summary>
    private void Malformed(string problem, byte[] value, List<GattReading> readings)
    {
        Count(ref _malformed, "malformed");
        LogMalformed(_logger, Info.DeviceId, problem, Convert.ToHexString(value));
        readings.Clear();
        readings.AddRange(_decoder.Streams.Select(s => new GattReading(s.Code, null)));
    }

    /// <summary>
    /// Checks each reading's range, sets the health, and writes the samples at their time: the device's
    /// own time by the clock rule; for a stored record whose device clock error is known, that time corrected.
    /// </summary>
    private async Task PublishAsync(List<GattReading> readings, string? problem, DateTimeOffset arrived, TimeSpan? storedClockError, ISampleSink sink, CancellationToken cancellationToken)
    {
        for (var i = 0; i < readings.Count; i++)
        {
            var (stream, value) = readings[i];
            var range = _decoder.Streams.First(s => s.Code.Code == stream.Code);
            if (value is { } v && !range.IsPlausible(v))
            {
                LogImplausible(_logger, Info.DeviceId, stream.Code, v, range.Min, range.Max);
                readings[i] = readings[i] with { Value = null };
                problem ??= $"{stream.Display} {v} outside {range.Min}-{range.Max} {stream.Unit}";
            }

            problem ??= readings[i].Value is null ? $"{stream.Display} not a valid measurement" : null;
        }

        SetHealth(problem is null ? DeviceHealth.Ok : DeviceHealth.Degraded, problem ?? "valid measurement");
        foreach (var reading in readings)
        {
            var at = arrived;
            if (reading.DeviceTime is { } deviceTime)
            {
                at = storedClockError is { } error
                    ? DeviceClock.ChartStored(deviceTime, error, arrived, _time.LocalTimeZone, out var offBy)
                    : DeviceClock.Chart(deviceTime, arrived, _time.LocalTimeZone, out offBy);
                if (offBy is { } off)
                {
                    // Charted at its arrival, never at a wrong device time; said once per measurement.
                    Count(ref _clockOff, "clock-off");
                    if (ReferenceEquals(reading.Stream, readings[0].Stream))
                    {
                        LogClockOff(_logger, Info.DeviceId, deviceTime, off);
                    }
                }
            }

            await sink.WriteAsync(new Sample(Info.DeviceId, reading.Stream, at, reading.Value), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A device that offers the Current Time Service (Current Time 0x2A2B) gets the box's time on every
    /// connection, so the time stamps of its measurements are right (issue 19). A refusal is logged and
    /// counted, never fatal: the clock rule (<see cref="DeviceClock"/>) still keeps a wrong stamp off the chart.
    /// </summary>
    /// <returns>How far the device's clock was off before it was set (read from it first), null when it could not be read.</returns>
    private async Task<TimeSpan?> SetDeviceClockAsync(BluezBus bus, BluezObjectManager manager, CancellationToken cancellationToken)
    {
        if (await FindCharacteristicAsync(manager, CurrentTime.Uuid, cancellationToken).ConfigureAwait(false) is not { } path)
        {
            return null;
        }

        var clock = new BluezGattCharacteristic(bus, path);
        TimeSpan? error = null;
        try
        {
            // The device read its clock somewhere between the request and the reply: the middle of the two is
            // the box's best time for it (as NTP takes it). A slow reply (a busy radio, a loaded box) would
            // otherwise count as the device's clock being behind by the reply's delay.
            var askedAt = _time.GetUtcNow();
            var read = await Bounded(clock.ReadValueAsync(), cancellationToken).ConfigureAwait(false);
            var readAt = askedAt + ((_time.GetUtcNow() - askedAt) / 2);
            if (CurrentTime.Read(read, out var problem) is { } deviceNow)
            {
                error = DeviceClock.Error(deviceNow, readAt, _time.LocalTimeZone);
                LogClockRead(_logger, Info.DeviceId, deviceNow, error.Value);
            }
            else
            {
                LogClockNotRead(_logger, Info.DeviceId, problem!);
            }
        }
        catch (Exception e) when (e is DBusErrorReplyException or BluezReplyException or TimeoutException)
        {
            LogClockNotRead(_logger, Info.DeviceId, e.Message);
        }

        var now = _time.GetUtcNow();
        try
        {
            await Bounded(clock.WriteValueAsync(CurrentTime.Encode(now, _time.LocalTimeZone)), cancellationToken).ConfigureAwait(false);
            Count(ref _clockWrites, "clock-write");
            LogClockSet(_logger, Info.DeviceId, now);
        }
        catch (Exception e) when (e is DBusErrorReplyException or TimeoutException)
        {
            LogClockNotSet(_logger, Info.DeviceId, e.Message);
        }

        return error;
    }

    /// <summary>A characteristic among the GATT objects under the device (BlueZ lists them once services are resolved); null when absent.</summary>
    private async Task<string?> FindCharacteristicAsync(BluezObjectManager manager, string characteristicUuid, CancellationToken cancellationToken)
    {
        var objects = await Bounded(manager.GetManagedObjectsAsync(), cancellationToken).ConfigureAwait(false);
        var prefix = _settings.DevicePath + "/";
        foreach (var (path, interfaces) in objects.Paths)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal)
                && interfaces.TryGetValue(BluezNames.GattCharacteristic1, out var properties)
                && string.Equals(BluezValues.String(properties, "UUID"), characteristicUuid, StringComparison.OrdinalIgnoreCase))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>Counts and logs a BlueZ signal that was not what BlueZ documents (null: it was); nothing is taken from it.</summary>
    /// <returns>Whether it was malformed.</returns>
    private bool MalformedSignal(string? problem)
    {
        if (problem is null)
        {
            return false;
        }

        Count(ref _malformedSignals, "malformed-signal");
        LogMalformedSignal(_logger, Info.DeviceId, problem);
        return true;
    }

    private Task Bounded(Task call, CancellationToken cancellationToken) => call.WaitAsync(_settings.CallTimeout, _time, cancellationToken);

    private Task<T> Bounded<T>(Task<T> call, CancellationToken cancellationToken) => call.WaitAsync(_settings.CallTimeout, _time, cancellationToken);

    private void SetHealth(DeviceHealth health, string reason)
    {
        if ((int)health != _health)
        {
            _health = (int)health;
            LogHealthChanged(_logger, Info.DeviceId, health, reason);
        }
    }

    [LoggerMessage(EventId = 4501, Level = LogLevel.Information, Message = "Device {DeviceId} notifying from {Path} ({Uuid})")]
    private static partial void LogNotifying(ILogger logger, string deviceId, string path, string uuid);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Warning, Message = "Device {DeviceId} at {Path}: BlueZ session failed: {Error}: {Message}")]
    private static partial void LogSessionFailed(ILogger logger, string deviceId, string path, string error, string message);

    [LoggerMessage(EventId = 4503, Level = LogLevel.Warning, Message = "Device {DeviceId} session ended: {Reason}; reconnecting with back-off")]
    private static partial void LogSessionEnded(ILogger logger, string deviceId, string reason);

    [LoggerMessage(EventId = 4504, Level = LogLevel.Warning, Message = "Device {DeviceId} sent a malformed notification ({Problem}): {Hex}; published as null samples")]
    private static partial void LogMalformed(ILogger logger, string deviceId, string problem, string hex);

    [LoggerMessage(EventId = 4505, Level = LogLevel.Warning, Message = "Device {DeviceId} reported implausible {Code} = {Value} (plausible {Min}-{Max}); sample marked invalid")]
    private static partial void LogImplausible(ILogger logger, string deviceId, string code, double value, double min, double max);

    [LoggerMessage(EventId = 4508, Level = LogLevel.Information, Message = "Device {DeviceId} clock set to the box's time {Now:O} (Current Time 0x2A2B)")]
    private static partial void LogClockSet(ILogger logger, string deviceId, DateTimeOffset now);

    [LoggerMessage(EventId = 4509, Level = LogLevel.Warning, Message = "Device {DeviceId} refused the box's time (Current Time 0x2A2B): {Problem}; its time stamps are checked against the box clock")]
    private static partial void LogClockNotSet(ILogger logger, string deviceId, string problem);

    [LoggerMessage(EventId = 4510, Level = LogLevel.Information, Message = "Device {DeviceId} clock read {DeviceNow:yyyy-MM-dd HH:mm:ss} (its local time), {Error} ahead of the box; its stored records are corrected by it")]
    private static partial void LogClockRead(ILogger logger, string deviceId, DateTime deviceNow, TimeSpan error);

    [LoggerMessage(EventId = 4511, Level = LogLevel.Information, Message = "Device {DeviceId} clock not read (Current Time 0x2A2B): {Problem}; its stored records are charted by the clock rule")]
    private static partial void LogClockNotRead(ILogger logger, string deviceId, string problem);

    [LoggerMessage(EventId = 4507, Level = LogLevel.Warning, Message = "Device {DeviceId} stamped a measurement {DeviceTime:yyyy-MM-dd HH:mm:ss} (its local clock), {OffBy} from the box clock: charted at its arrival instead; set the device's clock (Current Time Service)")]
    private static partial void LogClockOff(ILogger logger, string deviceId, DateTime deviceTime, TimeSpan offBy);

    [LoggerMessage(EventId = 4530, Level = LogLevel.Warning, Message = "Device {DeviceId}: BlueZ sent a signal the driver cannot read ({Problem}); ignored, nothing changed")]
    private static partial void LogMalformedSignal(ILogger logger, string deviceId, string problem);

    [LoggerMessage(EventId = 4506, Level = LogLevel.Warning, Message = "Device {DeviceId} health is now {Health}: {Reason}")]
    private static partial void LogHealthChanged(ILogger logger, string deviceId, DeviceHealth health, string reason);
}
