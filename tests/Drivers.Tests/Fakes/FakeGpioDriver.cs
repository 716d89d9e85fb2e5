namespace EdgeTwin.Drivers.Tests.Fakes;

using System.Device.Gpio;

/// <summary>
/// A pin-level fake: inputs are set by the test, outputs are recorded with the (fake) time of each
/// change. Pins power on as inputs reading High (pulled up), as a Raspberry Pi's BCM 0-8 do.
/// </summary>
internal sealed class FakeGpioDriver(TimeProvider time) : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, PinValue> _values = [];
    private readonly List<(DateTimeOffset At, int Pin, PinValue Value)> _writes = [];

    public bool FailWrites { get; set; }

    /// <summary>Called after each output write, outside the lock (a chip model reacting to a clock edge).</summary>
    public Action<int, PinValue>? OnWrite { get; set; }

    protected override int PinCount => 28;

    public IReadOnlyList<(DateTimeOffset At, int Pin, PinValue Value)> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
            }
        }
    }

    /// <summary>How many times <paramref name="pin"/> was driven high from low (a pin written high first counts once).</summary>
    public int RisingEdges(int pin)
    {
        var high = Writes.Where(w => w.Pin == pin).Select(w => w.Value == PinValue.High).ToList();
        return high.Zip(high.Skip(1)).Count(p => !p.First && p.Second) + (high.FirstOrDefault() ? 1 : 0);
    }

    public void SetInput(int pin, PinValue value)
    {
        lock (_gate)
        {
            _values[pin] = value;
        }
    }

    public PinValue Value(int pin)
    {
        lock (_gate)
        {
            return _values.GetValueOrDefault(pin, PinValue.High);
        }
    }

    public PinMode? Mode(int pin)
    {
        lock (_gate)
        {
            return _modes.TryGetValue(pin, out var mode) ? mode : null;
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            _modes.TryAdd(pinNumber, PinMode.Input);
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            _modes.Remove(pinNumber);
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            _modes[pinNumber] = mode;
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return _modes[pinNumber];
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => Value(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        if (FailWrites)
        {
            throw new IOException("GPIO line request failed");
        }

        lock (_gate)
        {
            _values[pinNumber] = value;
            _writes.Add((time.GetUtcNow(), pinNumber, value));
        }

        OnWrite?.Invoke(pinNumber, value);
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The fake is polled, not waited on.");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException("The fake is polled, not waited on.");

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException("The fake is polled, not waited on.");
}
