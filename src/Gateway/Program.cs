using EdgeTwin.Gateway.Hosting;

// Composition root: everything else is in AddEdgeTwinGateway (Hosting/), so tests and later
// features compose the same gateway.
var builder = GatewayHost.CreateBuilder(args);
var app = builder.Build();
return await GatewayHost.RunAsync(app).ConfigureAwait(false);
