namespace EdgeTwin.Drivers.Tests.Ble.FakeBluez;

using EdgeTwin.Drivers.Ble.Gatt;

/// <summary>
/// A glucose meter on the fake BlueZ: Glucose Measurement 0x2A18 (the profile's characteristic), its
/// context 0x2A34, the Record Access Control Point 0x2A52 and Current Time 0x2A2B. It stores every
/// reading with its own clock's time (<see cref="ClockAhead"/> off the true time until the box sets
/// it), and answers "Report stored records" (all, or sequence number &gt;= n) by notifying the records
/// and their contexts, then indicating the Response Code: success, no records found, or procedure not
/// completed when told to abort after some records; it can also keep silent.
/// </summary>
public sealed class FakeGlucoseMeter
{
    public const string MeasurementUuid = "00002a18-0000-1000-8000-00805f9b34fb";
    private const string ContextUuid = "00002a34-0000-1000-8000-00805f9b34fb";
    private const string RacpUuid = "00002a52-0000-1000-8000-00805f9b34fb";
    private const string CurrentTimeUuid = "00002a2b-0000-1000-8000-00805f9b34fb";

    private readonly List<(ushort Sequence, byte[] Measurement, byte[]? Context)> _records = [];
    private readonly Lock _gate = new();

    private FakeGlucoseMeter(FakeBluezService bluez)
    {
        Bluez = bluez;
        Racp.OnWrite = Answer;
        Clock.OnRead = async () =>
        {
            var now = CurrentTime.Encode(DateTimeOffset.Now + ClockAhead, TimeZoneInfo.Local);
            await Task.Delay(ClockReplyDelay); // the radio's delay between the meter reading its clock and the box having the reply
            return now;
        };
        Clock.OnWrite = _ => ClockAhead = TimeSpan.Zero; // the box set the clock
    }

    public FakeBluezService Bluez { get; }

    public FakeCharacteristic Measurements => Bluez.Characteristic;

    public FakeCharacteristic Context => Bluez.More[0];

    public FakeCharacteristic Racp => Bluez.More[1];

    public FakeCharacteristic Clock => Bluez.More[2];

    /// <summary>How far the meter's clock is ahead of the true time (negative: behind).</summary>
    public TimeSpan ClockAhead { get; set; }

    /// <summary>How long the answer to a read of the meter's Current Time takes after the meter read its clock.</summary>
    public TimeSpan ClockReplyDelay { get; set; }

    /// <summary>When set, a transfer stops after this many records and the meter answers "procedure not completed".</summary>
    public int? AbortAfter { get; set; }

    /// <summary>When set, the meter sends the records but never the Response Code.</summary>
    public bool Silent { get; set; }

    /// <summary>When set, the meter ignores the request's filter and sends every record it holds.</summary>
    public bool IgnoreFilter { get; set; }

    /// <summary>The Record Access Control Point requests written by the box, in order.</summary>
    public IReadOnlyList<byte[]> Requests
    {
        get
        {
            lock (Racp.Written)
            {
                return [.. Racp.Written.Where(w => w[0] == 0x01)];
            }
        }
    }

    public static async Task<FakeGlucoseMeter> StartAsync(string busAddress, string mac) =>
        new(await FakeBluezService.StartAsync(busAddress, mac, MeasurementUuid, ContextUuid, RacpUuid, CurrentTimeUuid));

    /// <summary>
    /// The patient measures at <paramref name="at"/> (true local time): stored with the meter's clock,
    /// <paramref name="mgPerDl"/> on capillary whole blood from a finger (or the <paramref name="typeLocation"/>
    /// given: 0x1A, a control solution), with a context (meal, HbA1c) when given.
    /// </summary>
    public ushort Measure(DateTime at, int mgPerDl, byte? meal = null, double? hba1c = null, byte typeLocation = 0x11)
    {
        lock (_gate)
        {
            var sequence = (ushort)(_records.Count + 1);
            var stamp = at + ClockAhead;
            var hasContext = meal is not null || hba1c is not null;
            var concentration = (ushort)(0xB000 | mgPerDl); // mg/dL x 10^-5 = kg/L
            byte[] measurement =
            [
                (byte)(0x03 | (hasContext ? 0x10 : 0)), (byte)sequence, (byte)(sequence >> 8),
                (byte)stamp.Year, (byte)(stamp.Year >> 8), (byte)stamp.Month, (byte)stamp.Day, (byte)stamp.Hour, (byte)stamp.Minute, (byte)stamp.Second,
                0x00, 0x00, (byte)concentration, (byte)(concentration >> 8), typeLocation,
            ];
            byte[]? context = null;
            if (hasContext)
            {
                var a1c = (ushort)(0xF000 | (int)Math.Round((hba1c ?? 0) * 10));
                context = [(byte)((meal is null ? 0 : 0x02) | (hba1c is null ? 0 : 0x40)), (byte)sequence, (byte)(sequence >> 8),
                    .. meal is { } m ? new[] { m } : [], .. hba1c is null ? [] : new[] { (byte)a1c, (byte)(a1c >> 8) }];
            }

            _records.Add((sequence, measurement, context));
            return sequence;
        }
    }

    private void Answer(byte[] request)
    {
        if (request is [0x03, ..])
        {
            Racp.Notify(0x06, 0x00, 0x03, 0x01); // abort: success
            return;
        }

        var from = request switch
        {
            [0x01, 0x01] => 0,
            [0x01, 0x03, 0x01, var lo, var hi] => lo | (hi << 8),
            _ => -1,
        };
        if (from < 0)
        {
            Racp.Notify(0x06, 0x00, request[0], 0x03); // invalid operator
            return;
        }

        (ushort Sequence, byte[] Measurement, byte[]? Context)[] due;
        lock (_gate)
        {
            due = [.. _records.Where(r => IgnoreFilter || r.Sequence >= from)];
        }

        if (due.Length == 0)
        {
            Racp.Notify(0x06, 0x00, 0x01, 0x06); // no records found
            return;
        }

        var sent = 0;
        foreach (var (_, measurement, context) in due)
        {
            if (AbortAfter is { } limit && sent == limit)
            {
                Racp.Notify(0x06, 0x00, 0x01, 0x08); // procedure not completed
                return;
            }

            Measurements.Notify(measurement);
            if (context is not null)
            {
                Context.Notify(context);
            }

            sent++;
        }

        if (!Silent)
        {
            Racp.Notify(0x06, 0x00, 0x01, 0x01); // success
        }
    }
}
