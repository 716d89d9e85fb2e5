namespace EdgeTwin.Gateway.Twin;

/// <summary>This gateway's name (<c>gw</c>, PROTOCOL §1): desired documents must be addressed to it.</summary>
internal sealed record TwinIdentity(string Gateway);
