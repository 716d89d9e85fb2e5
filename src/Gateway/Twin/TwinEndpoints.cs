namespace EdgeTwin.Gateway.Twin;

using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Access;
using EdgeTwin.Gateway.Privacy;
using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Gateway.Twin.Reported;
using EdgeTwin.Telemetry.Desired;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The twin on the status address, behind the admin token (<see cref="AdminAccess"/>): <c>GET /twin</c> (what the reported document would say
/// now) and <c>POST /twin/bindings</c>, the bedside's local admit / transfer / discharge command,
/// with the same schema as one entry of a desired document's <c>bindings</c>.
/// </summary>
internal static class TwinEndpoints
{
    public static IEndpointRouteBuilder MapTwin(this IEndpointRouteBuilder app)
    {
        app.MapGet("/twin", (HttpContext context, TwinController controller, IUplinkStateSource uplink, TimeProvider time) =>
        {
            var model = context.RequestServices.GetService<IModelStatusSource>()?.Status;
            var (state, heads) = ReportedDocument.Content(controller.Twin.Snapshot(), controller.Twin.Control, uplink.Read(), time.GetUtcNow(), model);
            return Results.Text(new JsonObject { ["state"] = state, ["heads"] = heads }.ToJsonString(), "application/json");
        }).RequireAdminToken();
        app.MapPost("/twin/bindings", async (HttpRequest request, TwinController controller, Pseudonymizer pseudonymizer, CancellationToken cancellationToken) =>
        {
            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                return Results.BadRequest(new ErrorBody("malformed JSON"));
            }

            if (!DesiredSettingsParser.TryParse(new JsonObject { ["bindings"] = new JsonArray(body) }, out var settings, out var problem))
            {
                return Results.BadRequest(new ErrorBody(problem!.Replace("bindings[0].", string.Empty, StringComparison.Ordinal)));
            }

            var binding = settings!.Bindings[0];
            problem = await controller.BindLocalAsync(binding.Action, binding.HospitalId, binding.Bed, binding.Devices, binding.At, cancellationToken).ConfigureAwait(false);
            // The pseudonym the patient's data will carry, so the nurse can find it in the twin and the cloud.
            return problem is null
                ? Results.Ok(new BindingAccepted(true, pseudonymizer.Pseudonymize(binding.HospitalId), binding.Bed, binding.Devices))
                : BindingTimes.IsTimeProblem(problem) ? Results.BadRequest(new ErrorBody(problem)) : Results.Conflict(new ErrorBody(problem));
        }).RequireAdminToken();
        return app;
    }
}
