using EdgeTwin.Gateway.Hosting;

// Composition root: everything else is in AddEdgeTwinGateway (Hosting/), so tests and later
// features compose the same gateway.
return await GatewayHost.MainAsync(args).ConfigureAwait(false);
