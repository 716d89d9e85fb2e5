namespace EdgeTwin.Drivers.Ble.BlueZ;

/// <summary>
/// BlueZ answered a call with a body other than the one its API documents (another signature, a property
/// of another type): nothing is taken from such an answer. The message names the call and what came.
/// </summary>
internal sealed class BluezReplyException(string message, Exception? inner = null) : Exception(message, inner);
