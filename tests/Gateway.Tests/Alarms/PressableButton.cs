namespace EdgeTwin.Gateway.Tests.Alarms;

using EdgeTwin.Drivers.Gpio.NurseCall;

/// <summary>A nurse-call button the test presses.</summary>
internal sealed class PressableButton : INurseCallButton
{
    public event EventHandler<NurseCallPressedEventArgs>? Pressed;

    public string ButtonId => "call-1";

    public void Press(DateTimeOffset at) => Pressed?.Invoke(this, new NurseCallPressedEventArgs(ButtonId, at));

    public Task RunAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
