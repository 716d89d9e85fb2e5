namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Ble.FakeBluez;
using EdgeTwin.Drivers.Tests.Support;

/// <summary>
/// The real driver and a glucose meter with stored records on the fake BlueZ (private dbus-daemon):
/// the Record Access Control Point download, the cursor, the clock correction, and the meter's failures.
/// </summary>
public sealed class GlucoseMeterDriverTests(PrivateDBus bus) : IClassFixture<PrivateDBus>
{
    private const string Mac = "C0:26:DA:01:02:03";

    private static DateTime Minutes(DateTime t, int minutes) => t.AddMinutes(minutes).AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

    private BleGattDriver Driver(IDeviceCursorStore cursors, TimeSpan? recordTimeout = null) => new(
        "glucose-1",
        new BleGattSettings(Mac, "hci0", bus.Address, BleProfiles.Glucose)
        {
            Backoff = new ProbeBackoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)),
            CallTimeout = TimeSpan.FromSeconds(5),
            RecordAccessTimeout = recordTimeout ?? TimeSpan.FromSeconds(5),
        },
        TimeProvider.System,
        cursors: cursors);

    private static async Task StopAsync(CancellationTokenSource cts, Task run)
    {
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task StoredRecords_AreReadOnce_AtTheirTrueTimes_ThenOnlyNewerOnesAtTheNextConnection()
    {
        var meter = await FakeGlucoseMeter.StartAsync(bus.Address, Mac);
        meter.ClockAhead = TimeSpan.FromMinutes(7);                      // a fast meter clock, set right by the box on connect
        var now = DateTime.Now;
        meter.Measure(Minutes(now, -180), 112);
        meter.Measure(Minutes(now, -120), 98, meal: 3, hba1c: 6.4);       // fasting, with the HbA1c it holds
        meter.Measure(Minutes(now, -60), 143, meal: 2);
        var cursors = new InMemoryDeviceCursors();
        var driver = Driver(cursors);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);

        var samples = await sink.WaitUntilAsync(s => s.Count >= 4);
        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Ok, "Ok after the download");
        Assert.Equal([[0x01, 0x01]], meter.Requests);                     // the first time: all records
        Assert.Equal([112.0, 98.0, 6.4, 143.0], samples.Select(s => s.Value!.Value));
        Assert.Equal([StreamCodes.GlucoseCapillaryMass, StreamCodes.GlucoseCapillaryMass, StreamCodes.HbA1c, StreamCodes.GlucoseCapillaryMass], samples.Select(s => s.Stream));
        Assert.Equal(
            new[] { -180, -120, -120, -60 }.Select(m => new DateTimeOffset(Minutes(now, m)).ToUniversalTime()),
            samples.Select(s => s.Timestamp));                            // the meter's stamps less its 7 minutes
        Assert.Equal((3, 0, 3L), (driver.StoredRecords, driver.RecordAccessFailures, cursors.Read(driver.CursorKey)));
        Assert.Equal(0, driver.ClockOffReadings);

        meter.Bluez.Device.FailConnectWith = "le-connection-abort-by-local"; // out of range ...
        await meter.Bluez.Device.DisconnectAsync();
        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Lost, "Lost when out of range");
        meter.Measure(Minutes(now, -1), 121);                             // ... measured meanwhile
        meter.Bluez.Device.FailConnectWith = null;

        samples = await sink.WaitUntilAsync(s => s.Count >= 5);
        Assert.Equal([0x01, 0x03, 0x01, 0x04, 0x00], meter.Requests[^1]); // sequence number >= 4
        Assert.Equal(121.0, samples[4].Value);
        Assert.Equal(new DateTimeOffset(Minutes(now, -1)).ToUniversalTime(), samples[4].Timestamp);
        Assert.Equal((4, 4L), (driver.StoredRecords, cursors.Read(driver.CursorKey)));
        await StopAsync(cts, run);
        Assert.Equal(5, sink.Snapshot().Count);
        await meter.Bluez.DisposeAsync();
    }

    [Fact]
    public async Task AMeterClockReadWhoseReplyIsSlow_IsTakenAtTheMiddleOfTheRead_StoredRecordsKeepTheirSecond()
    {
        // Read at once, answered 0.55 s later (a loaded box, a busy radio). Taken at the reply, the clock would
        // seem 7 minutes less 0.55 s (and whatever the reply's leg adds) ahead, to the second 6:59, and the
        // reading would be charted a second late, whatever the machine's load. At the middle of the read it
        // seems 7 minutes less 0.275 s, plus half of how much longer the reply's leg took than the request's:
        // right unless that is over 0.45 s.
        var meter = await FakeGlucoseMeter.StartAsync(bus.Address, Mac);
        meter.ClockAhead = TimeSpan.FromMinutes(7);
        meter.ClockReplyDelay = TimeSpan.FromMilliseconds(550);
        var now = DateTime.Now;
        meter.Measure(Minutes(now, -90), 117);
        var driver = Driver(new InMemoryDeviceCursors());
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);
        try
        {
            var sample = Assert.Single(await sink.WaitUntilAsync(s => s.Count >= 1));
            Assert.Equal(new DateTimeOffset(Minutes(now, -90)).ToUniversalTime(), sample.Timestamp);
            Assert.Equal(TimeSpan.Zero, meter.ClockAhead); // and then set right
        }
        finally
        {
            // The class's bus is shared: a failure here must leave neither the driver nor the meter to the next test.
            await StopAsync(cts, run);
            await meter.Bluez.DisposeAsync();
        }
    }

    [Fact]
    public async Task NoRecordsFound_IsNotAFailure_AndARestartedDriverAsksFromItsDurableCursor()
    {
        var meter = await FakeGlucoseMeter.StartAsync(bus.Address, Mac);
        var cursors = new InMemoryDeviceCursors();
        var driver = Driver(cursors);
        cursors.Write(driver.CursorKey, 41);                               // what a previous run of the box held
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(new CollectingSink(), cts.Token);

        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Ok, "Ok after 'no records found'");
        Assert.Equal([[0x01, 0x03, 0x01, 42, 0x00]], meter.Requests);
        Assert.Equal((0, 0, 0L), (driver.StoredRecords, driver.RecordAccessFailures, driver.FailedAttempts));
        await StopAsync(cts, run);
        await meter.Bluez.DisposeAsync();
    }

    [Fact]
    public async Task AnAbortedTransfer_PublishesWhatArrived_IsCounted_AndTheRestIsAskedForNextTime()
    {
        var meter = await FakeGlucoseMeter.StartAsync(bus.Address, Mac);
        var now = DateTime.Now;
        foreach (var (minutes, value) in new[] { (-40, 101), (-30, 102), (-20, 103), (-10, 104) })
        {
            meter.Measure(Minutes(now, minutes), value);
        }

        meter.AbortAfter = 2;
        var cursors = new InMemoryDeviceCursors();
        using var metrics = new DriverMeterListener("glucose-1");
        var driver = Driver(cursors);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);

        await Eventually.TrueAsync(() => driver.RecordAccessFailures >= 1, "the abort counted");
        meter.AbortAfter = null;
        var samples = await sink.WaitUntilAsync(s => s.Count >= 4);
        await Eventually.TrueAsync(() => driver.Sessions >= 1, "a session after the second download");
        Assert.Equal([101.0, 102.0, 103.0, 104.0], samples.Select(s => s.Value!.Value));
        Assert.Equal([0x01, 0x03, 0x01, 0x03, 0x00], meter.Requests[^1]);  // from the third
        Assert.Equal((4, 4L), (driver.StoredRecords, cursors.Read(driver.CursorKey)));
        Assert.True(driver.RecordAccessFailures >= 1);
        await StopAsync(cts, run);
        Assert.Equal(4, sink.Snapshot().Count);
        Assert.Equal(driver.RecordAccessFailures, metrics.Sum("edgetwin.device.ble", "record-access-failure")); // on /metrics too
        Assert.Equal(4, metrics.Sum("edgetwin.device.ble", "stored-record"));
        await meter.Bluez.DisposeAsync();
    }

    [Fact]
    public async Task AMeterThatNeverAnswers_TimesOut_IsCounted_GetsAnAbort_AndARepeatedRecordIsNotPublishedTwice()
    {
        var meter = await FakeGlucoseMeter.StartAsync(bus.Address, Mac);
        meter.Measure(Minutes(DateTime.Now, -5), 130);
        meter.Silent = true;
        meter.IgnoreFilter = true;                                         // and it sends record 1 again next time
        var cursors = new InMemoryDeviceCursors();
        var driver = Driver(cursors, recordTimeout: TimeSpan.FromMilliseconds(300));
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);

        await Eventually.TrueAsync(() => driver.RecordAccessFailures >= 1, "the time-out counted");
        Assert.Contains(meter.Racp.Written.ToArray(), w => w is [0x03, 0x00]); // abort operation sent
        meter.Silent = false;
        meter.Measure(Minutes(DateTime.Now, -1), 131);
        await sink.WaitUntilAsync(s => s.Count >= 2);
        await Eventually.TrueAsync(() => driver.Sessions >= 1, "a session once the meter answers");

        Assert.Equal([130.0, 131.0], sink.Snapshot().Select(s => s.Value!.Value));
        Assert.True(driver.RepeatedRecords >= 1);
        Assert.Equal(2L, cursors.Read(driver.CursorKey));
        await StopAsync(cts, run);
        await meter.Bluez.DisposeAsync();
    }

    [Fact]
    public async Task AControlSolutionRecord_IsRefusedAsNullSamples_AndNotAskedForAgain()
    {
        var meter = await FakeGlucoseMeter.StartAsync(bus.Address, Mac);
        var now = DateTime.Now;
        meter.Measure(Minutes(now, -30), 100, typeLocation: 0x1A);         // the nurse's control solution test
        meter.Measure(Minutes(now, -10), 109);
        var cursors = new InMemoryDeviceCursors();
        var driver = Driver(cursors);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);

        var samples = await sink.WaitUntilAsync(s => s.Any(x => x.Value is not null));
        await Eventually.TrueAsync(() => driver.Sessions == 1, "the download finished");

        Assert.Equal(5, samples.Count(s => s.Value is null));                // every stream of the profile null, once
        Assert.Equal(109.0, samples.Single(s => s.Value is not null).Value);
        Assert.Equal((1L, 1L, 2L), (driver.MalformedNotifications, driver.StoredRecords, cursors.Read(driver.CursorKey)));
        await meter.Bluez.Device.DisconnectAsync();                          // at the next connection: only what is newer
        await Eventually.TrueAsync(() => meter.Requests.Count == 2 && driver.Sessions == 2, "a second download");
        Assert.Equal([0x01, 0x03, 0x01, 0x03, 0x00], meter.Requests[^1]);
        Assert.Equal(6, sink.Snapshot().Count);
        await StopAsync(cts, run);
        await meter.Bluez.DisposeAsync();
    }
}
