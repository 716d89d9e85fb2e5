namespace EdgeTwin.Gateway.Twin.Desired;

using EdgeTwin.Telemetry.Desired;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Where a <c>twin/desired</c> message is checked (PROTOCOL §6): signed by a configured operator,
/// addressed to this gateway, newer than the version last applied and not issued before it (nor,
/// with no floor known, before <c>Twin:DesiredMaxAge</c> ago), and its state valid against
/// the schema. Anything else is refused whole: logged, reported in the twin and recorded as a
/// <c>desired-rejected</c> event, and nothing else changes.
/// </summary>
internal sealed partial class DesiredStateHandler(
    TwinController controller,
    TwinIdentity identity,
    IOptions<TwinOptions> options,
    ILogger<DesiredStateHandler> logger)
{
    public async Task HandleAsync(ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken)
    {
        if (envelope.IsEmpty)
        {
            // A zero-length retained message is MQTT's way of clearing the topic, not a document.
            LogCleared(logger);
            return;
        }

        await controller.Twin.WhenDevicesKnown.WaitAsync(cancellationToken).ConfigureAwait(false);
        var check = DesiredEnvelope.Verify(envelope.Span, identity.Gateway, controller.Floor.Version, options.Value.OperatorAddresses);
        if (!check.Accepted || check.Document is not { } document)
        {
            var detail = check.Problem == DesiredEnvelope.NotSignedByOperator
                ? $"signed by {check.Signer ?? "no one"}; Twin:OperatorAddresses trusts {(options.Value.OperatorAddresses.Count == 0 ? "no address" : string.Join(", ", options.Value.OperatorAddresses))}"
                : null;
            await controller.RejectDesiredAsync(check.Document?.Version, check.Problem ?? "rejected", cancellationToken, detail).ConfigureAwait(false);
            return;
        }

        if (!DesiredSettingsParser.TryParse(document.State, out var settings, out var problem))
        {
            await controller.RejectDesiredAsync(document.Version, problem!, cancellationToken).ConfigureAwait(false);
            return;
        }

        await controller.ApplyDesiredAsync(document.Version, document.Issued, settings!, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(5020, LogLevel.Information, "Retained desired state cleared on the broker; the configuration in force stays")]
    private static partial void LogCleared(ILogger logger);
}
