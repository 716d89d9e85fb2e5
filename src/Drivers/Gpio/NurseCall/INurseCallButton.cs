namespace EdgeTwin.Drivers.Gpio.NurseCall;

/// <summary>The nurse-call button: one <see cref="Pressed"/> per debounced press, raised on the polling task.</summary>
public interface INurseCallButton : IAsyncDisposable
{
    string ButtonId { get; }

    event EventHandler<NurseCallPressedEventArgs>? Pressed;

    /// <summary>Polls the input until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
