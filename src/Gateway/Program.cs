var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSystemd();
using var host = builder.Build();
await host.RunAsync().ConfigureAwait(false);
