namespace EdgeTwin.Gateway.Pairing;

/// <summary>A pairing request's failure: <c>{"error","reason"}</c>, the reason one of <c>BlePairingFailure</c>'s or "invalid".</summary>
internal sealed record PairingError(string Error, string Reason);
