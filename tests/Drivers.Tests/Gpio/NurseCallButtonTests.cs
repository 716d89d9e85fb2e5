namespace EdgeTwin.Drivers.Tests.Gpio;

using System.Device.Gpio;
using EdgeTwin.Drivers.Gpio.NurseCall;
using EdgeTwin.Drivers.Tests.Fakes;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Time.Testing;

public sealed class NurseCallButtonTests : IAsyncDisposable
{
    private const int Pin = 5;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeGpioDriver _driver;
    private readonly GpioNurseCallButton _button;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<NurseCallPressedEventArgs> _presses = [];
    private readonly Task _run;

    public NurseCallButtonTests()
    {
        _driver = new FakeGpioDriver(_time);
        _button = new GpioNurseCallButton("bed-3-call", new GpioController(_driver), Pin, _time);
        _button.Pressed += (_, e) =>
        {
            lock (_presses)
            {
                _presses.Add(e);
            }
        };
        _run = _button.RunAsync(_stop.Token);
    }

    private int PressCount
    {
        get
        {
            lock (_presses)
            {
                return _presses.Count;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        await _button.DisposeAsync();
        _stop.Dispose();
    }

    [Fact]
    public async Task SteadyPress_IsOnePress_AfterTheDebounceTime()
    {
        _driver.SetInput(Pin, PinValue.Low);
        await PollAsync(4); // 20 ms: still bouncing as far as we know
        Assert.Empty(_presses);

        await PollAsync(10);
        var press = Assert.Single(_presses);
        Assert.Equal("bed-3-call", press.ButtonId);
        Assert.Equal(PinMode.InputPullUp, _driver.Mode(Pin));

        await PollAsync(100); // held: still one press
        Assert.Single(_presses);
    }

    [Fact]
    public async Task ContactBounce_IsNotAPress()
    {
        for (var i = 0; i < 40; i++)
        {
            _driver.SetInput(Pin, i % 2 == 0 ? PinValue.Low : PinValue.High);
            await PollAsync(2);
        }

        _driver.SetInput(Pin, PinValue.High);
        await PollAsync(20);
        Assert.Empty(_presses);
    }

    [Fact]
    public async Task PressReleasePress_IsTwoPresses()
    {
        _driver.SetInput(Pin, PinValue.Low);
        await PollAsync(10);
        _driver.SetInput(Pin, PinValue.High);
        await PollAsync(10);
        _driver.SetInput(Pin, PinValue.Low);
        await PollAsync(10);

        Assert.Equal(2, PressCount);
    }

    /// <summary>Advances <paramref name="polls"/> poll periods, letting the loop run each.</summary>
    private async Task PollAsync(int polls)
    {
        for (var i = 0; i < polls; i++)
        {
            var before = _button.Polls;
            _time.Advance(GpioNurseCallButton.PollInterval);
            await Eventually.TrueAsync(() => _button.Polls > before, "poll");
        }
    }
}
