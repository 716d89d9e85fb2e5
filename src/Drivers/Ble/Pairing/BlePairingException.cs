namespace EdgeTwin.Drivers.Ble.Pairing;

/// <summary>A scan, pairing or forget that did not happen, with the reason a nurse can act on.</summary>
public sealed class BlePairingException : Exception
{
    public BlePairingException(BlePairingFailure failure, string message, Exception? inner = null)
        : base(message, inner) => Failure = failure;

    public BlePairingException()
    {
    }

    public BlePairingException(string message)
        : base(message)
    {
    }

    public BlePairingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BlePairingFailure Failure { get; } = BlePairingFailure.Refused;

    /// <summary>The failure as logs, metrics and the API name it: <c>passkey-missing</c>, <c>timeout</c> ...</summary>
    public string Reason => Name(Failure);

    public static string Name(BlePairingFailure failure) => failure switch
    {
        BlePairingFailure.NotFound => "not-found",
        BlePairingFailure.PasskeyMissing => "passkey-missing",
        BlePairingFailure.PasskeyRefused => "passkey-refused",
        _ => failure.ToString().ToLowerInvariant(),
    };
}
