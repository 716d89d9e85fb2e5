namespace EdgeTwin.Drivers.Ble;

using System.Buffers.Binary;
using System.Threading.Channels;
using EdgeTwin.Drivers.Ble.BlueZ;
using EdgeTwin.Drivers.Ble.Gatt;
using EdgeTwin.Drivers.Model;
using Microsoft.Extensions.Logging;
using Tmds.DBus.Protocol;

/// <summary>
/// The glucose profile's stored records (issue 19): at every connection the box asks the meter,
/// through the Record Access Control Point (0x2A52), for the records after the last one it holds (all
/// of them the first time), publishes the measurements (0x2A18) and their contexts (0x2A34) that arrive
/// before the meter's Response Code, and keeps the last sequence number durably
/// (<see cref="IDeviceCursorStore"/>). An error response, no response in time, or the meter going away
/// is logged and counted; what arrived is published, the cursor moves past it, and the session ends so
/// that the rest is asked for at the next attempt.
/// </summary>
internal sealed partial class BleGattDriver
{
    /// <summary>Sets up contexts and the Record Access Control Point, asks for the newer records and publishes them.</summary>
    private async Task<GlucoseRecords> DownloadStoredRecordsAsync(
        BluezBus bus, BluezObjectManager manager, Channel<BleNotification> notifications, Task<string> ended, TimeSpan? clockError, ISampleSink sink, CancellationToken cancellationToken)
    {
        var records = new GlucoseRecords();
        try
        {
            if (await FindCharacteristicAsync(manager, GlucoseContextDecoder.Uuid, cancellationToken).ConfigureAwait(false) is { } contextPath)
            {
                var context = new BluezGattCharacteristic(bus, contextPath);
                records.Watches.Add(await Bounded(context.WatchPropertiesAsync(signal => Forward(signal, notifications.Writer, context: true)), cancellationToken).ConfigureAwait(false));
                await Bounded(context.StartNotifyAsync(), cancellationToken).ConfigureAwait(false);
            }

            var racpPath = await FindCharacteristicAsync(manager, RecordAccessControlPoint.Uuid, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"no Record Access Control Point {RecordAccessControlPoint.Uuid} under {_settings.DevicePath}: stored glucose records cannot be asked for");
            var racp = new BluezGattCharacteristic(bus, racpPath);
            var response = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            records.Watches.Add(await Bounded(racp.WatchPropertiesAsync(signal =>
            {
                if (ValueOf(signal) is { } bytes)
                {
                    response.TrySetResult(bytes);
                }
            }), cancellationToken).ConfigureAwait(false));
            await Bounded(racp.StartNotifyAsync(), cancellationToken).ConfigureAwait(false);

            records.Last = _cursors.Read(CursorKey);
            var request = RecordAccessControlPoint.Report(records.Last);
            await Bounded(racp.WriteValueAsync(request), cancellationToken).ConfigureAwait(false);
            var failure = await AwaitResponseAsync(racp, response.Task, ended, cancellationToken).ConfigureAwait(false);

            // Everything notified before the Response Code is a stored record: published with the clock correction.
            var before = StoredRecords;
            while (notifications.Reader.TryRead(out var notification))
            {
                await WriteRecordAsync(records, notification, clockError, stored: true, sink, cancellationToken).ConfigureAwait(false);
            }

            await FlushRecordAsync(records, clockError, stored: true, sink, cancellationToken).ConfigureAwait(false);
            var received = StoredRecords - before;
            if (failure is not null)
            {
                Count(ref _recordAccessFailures, "record-access-failure");
                LogRecordAccessFailed(_logger, Info.DeviceId, Convert.ToHexString(request), failure, received);
                throw new InvalidOperationException($"stored records not all read ({failure}); asked for again at the next attempt");
            }

            LogRecordsRead(_logger, Info.DeviceId, received, Convert.ToHexString(request), records.Last);
            return records;
        }
        catch
        {
            records.Dispose();
            throw;
        }
    }

    /// <summary>Null when the meter answered success or "no records found"; otherwise what went wrong.</summary>
    private async Task<string?> AwaitResponseAsync(BluezGattCharacteristic racp, Task<byte[]> response, Task<string> ended, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(_settings.RecordAccessTimeout, _time, timer.Token);
        var first = await Task.WhenAny(response, ended, timeout).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (first == ended)
        {
            return $"the meter went away before answering: {await ended.ConfigureAwait(false)}";
        }

        if (first == timeout)
        {
            try
            {
                // Stop the transfer the meter may still be in, so the next request is not refused as busy.
                await Bounded(racp.WriteValueAsync(RecordAccessControlPoint.Abort()), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DBusErrorReplyException or TimeoutException)
            {
                LogAbortNotSent(_logger, Info.DeviceId, e.Message);
            }

            return $"no Response Code within {_settings.RecordAccessTimeout}";
        }

        var value = RecordAccessControlPoint.ResponseTo(RecordAccessControlPoint.ReportStoredRecords, await response.ConfigureAwait(false), out var problem);
        return value switch
        {
            null => problem,
            RecordAccessControlPoint.Success or RecordAccessControlPoint.NoRecordsFound => null,
            { } v => $"the meter answered '{RecordAccessControlPoint.Describe(v)}'",
        };
    }

    private void Forward(BluezSignal<IReadOnlyDictionary<string, VariantValue>> signal, ChannelWriter<BleNotification> writer, bool context)
    {
        if (ValueOf(signal) is { } bytes)
        {
            writer.TryWrite(new BleNotification(_time.GetUtcNow(), bytes, context));
        }
    }

    /// <summary>The new Value of a characteristic's PropertiesChanged; null when Value did not change, or the signal is malformed (then counted and logged).</summary>
    private byte[]? ValueOf(BluezSignal<IReadOnlyDictionary<string, VariantValue>> signal)
    {
        if (MalformedSignal(signal.Problem) || !signal.Value!.TryGetValue("Value", out var value))
        {
            return null;
        }

        var bytes = BluezValues.Bytes(value);
        if (bytes is null)
        {
            MalformedSignal($"Value changed to a value of type {value.Type}, not bytes");
        }

        return bytes;
    }

    /// <summary>A measurement waits for its context; a context completes its measurement; a refused measurement is published as null samples.</summary>
    private async Task WriteRecordAsync(GlucoseRecords records, BleNotification notification, TimeSpan? storedClockError, bool stored, ISampleSink sink, CancellationToken cancellationToken)
    {
        var sequence = notification.Value.Length >= 3 ? BinaryPrimitives.ReadUInt16LittleEndian(notification.Value.AsSpan(1)) : (ushort?)null;
        if (notification.Context)
        {
            var problem = GlucoseContextDecoder.Read(notification.Value, out var context);
            if (problem is not null)
            {
                // A refused context does not refuse its measurement.
                Count(ref _malformed, "malformed");
                LogMalformed(_logger, Info.DeviceId, problem, Convert.ToHexString(notification.Value));
            }

            if (records.Pending is { } waiting && sequence == waiting.Sequence)
            {
                records.Pending = null;
                await PublishRecordAsync(records, waiting, context, records.PendingArrivedAt, storedClockError, stored, sink, cancellationToken).ConfigureAwait(false);
            }
            else if (context is not null)
            {
                LogContextUnmatched(_logger, Info.DeviceId, context.Sequence, context.Describe());
            }

            return;
        }

        await FlushRecordAsync(records, storedClockError, stored, sink, cancellationToken).ConfigureAwait(false);
        if (sequence is { } seen && seen <= records.Last)
        {
            // Asked for newer ones only: a meter that sends an old record again does not get it charted twice.
            Count(ref _repeatedRecords, "repeated-record");
            LogRepeatedRecord(_logger, Info.DeviceId, seen, records.Last.Value);
            return;
        }

        var refused = GlucoseMeasurementDecoder.Read(notification.Value, out var measurement);
        if (refused is not null)
        {
            var readings = new List<GattReading>(_decoder.Streams.Count);
            Malformed(refused, notification.Value, readings);
            await PublishAsync(readings, refused, notification.ReceivedAt, null, sink, cancellationToken).ConfigureAwait(false);
            if (sequence is { } read)
            {
                Advance(records, read); // read and refused (logged): not asked for again
            }

            return;
        }

        if (measurement!.ContextFollows)
        {
            records.Pending = measurement;
            records.PendingArrivedAt = notification.ReceivedAt;
            return;
        }

        await PublishRecordAsync(records, measurement, null, notification.ReceivedAt, storedClockError, stored, sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes the measurement still waiting for a context that did not come.</summary>
    private async Task FlushRecordAsync(GlucoseRecords records, TimeSpan? storedClockError, bool stored, ISampleSink sink, CancellationToken cancellationToken)
    {
        if (records.Pending is { } waiting)
        {
            records.Pending = null;
            LogContextMissing(_logger, Info.DeviceId, waiting.Sequence);
            await PublishRecordAsync(records, waiting, null, records.PendingArrivedAt, storedClockError, stored, sink, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PublishRecordAsync(
        GlucoseRecords records, GlucoseMeasurement measurement, GlucoseContext? context, DateTimeOffset arrived, TimeSpan? storedClockError, bool stored, ISampleSink sink, CancellationToken cancellationToken)
    {
        List<GattReading> readings = [measurement.Reading];
        if (context is not null)
        {
            LogRecordContext(_logger, Info.DeviceId, measurement.Sequence, context.Describe());
            if (context.HbA1cPercent is { } hba1c)
            {
                readings.Add(new GattReading(StreamCodes.HbA1c, hba1c) { DeviceTime = measurement.DeviceTime });
            }
        }

        await PublishAsync(readings, null, arrived, stored ? storedClockError : null, sink, cancellationToken).ConfigureAwait(false);
        if (stored)
        {
            Count(ref _storedRecords, "stored-record");
        }

        Advance(records, measurement.Sequence);
    }

    /// <summary>Moves the cursor on once the record's samples are with the pipeline; a cursor that cannot be saved is logged (the record may then be read again).</summary>
    private void Advance(GlucoseRecords records, ushort sequence)
    {
        if (sequence <= records.Last)
        {
            return;
        }

        records.Last = sequence;
        try
        {
            _cursors.Write(CursorKey, sequence);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCursorNotSaved(_logger, Info.DeviceId, sequence, e.Message);
        }
    }

    [LoggerMessage(EventId = 4512, Level = LogLevel.Information, Message = "Device {DeviceId}: {Count} stored records read (request {Request}); last record held {Last}")]
    private static partial void LogRecordsRead(ILogger logger, string deviceId, long count, string request, long? last);

    [LoggerMessage(EventId = 4513, Level = LogLevel.Warning, Message = "Device {DeviceId}: stored records request {Request} failed: {Failure}; {Count} records received were published, the rest is asked for at the next attempt")]
    private static partial void LogRecordAccessFailed(ILogger logger, string deviceId, string request, string failure, long count);

    [LoggerMessage(EventId = 4514, Level = LogLevel.Warning, Message = "Device {DeviceId} sent record {Sequence} again (the box holds up to {Last}); not published again")]
    private static partial void LogRepeatedRecord(ILogger logger, string deviceId, int sequence, long last);

    [LoggerMessage(EventId = 4515, Level = LogLevel.Information, Message = "Device {DeviceId} record {Sequence} context: {Context}")]
    private static partial void LogRecordContext(ILogger logger, string deviceId, int sequence, string context);

    [LoggerMessage(EventId = 4516, Level = LogLevel.Warning, Message = "Device {DeviceId} sent a context for record {Sequence} without its measurement just before ({Context}); not published")]
    private static partial void LogContextUnmatched(ILogger logger, string deviceId, int sequence, string context);

    [LoggerMessage(EventId = 4517, Level = LogLevel.Warning, Message = "Device {DeviceId} record {Sequence} announced a context that did not follow; published without it")]
    private static partial void LogContextMissing(ILogger logger, string deviceId, int sequence);

    [LoggerMessage(EventId = 4518, Level = LogLevel.Error, Message = "Device {DeviceId}: the last record held ({Sequence}) could not be saved: {Problem}; after a restart it may be read again")]
    private static partial void LogCursorNotSaved(ILogger logger, string deviceId, int sequence, string problem);

    [LoggerMessage(EventId = 4519, Level = LogLevel.Warning, Message = "Device {DeviceId}: abort of the stored-records transfer not sent: {Problem}")]
    private static partial void LogAbortNotSent(ILogger logger, string deviceId, string problem);
}
