namespace EdgeTwin.Gateway.Broker;

using System.Security.Cryptography;

/// <summary>
/// The login only this process knows, with which its own uplink connects to the embedded broker:
/// the gateway's client id is reserved for it, so no other local client can take over the
/// gateway's session (and with it the receipts and desired documents sent to it). New at every
/// start, never written anywhere.
/// </summary>
internal sealed class EmbeddedBrokerSecret
{
    public const string Username = "edgetwin-gateway-uplink";

    public string Password { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public bool Matches(string? username, string? password) =>
        username == Username && password is not null &&
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(password), System.Text.Encoding.UTF8.GetBytes(Password));
}
