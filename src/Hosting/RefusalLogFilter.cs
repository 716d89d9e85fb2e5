namespace EdgeTwin.Hosting;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// A configuration the gateway or the ingest refuses ends with one line naming the setting (exit 78);
/// the generic host would first log it as "Hosting failed to start" with the whole stack trace. This
/// drops that one entry for a refusal, and only for a refusal: a genuine crash keeps it.
/// </summary>
public static class RefusalLogFilter
{
    /// <summary>The generic host's category and its "Hosting failed to start" event.</summary>
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";
    private const int HostingFailedToStart = 11;

    /// <summary>
    /// Wraps every logger provider registered so far. A refusal is an <see cref="OptionsValidationException"/>,
    /// a stop (SIGTERM) that came while the host was starting, or what <paramref name="alsoRefusal"/> says
    /// (the gateway's StartupException); neither is a crash.
    /// </summary>
    public static void Apply(IServiceCollection services, Func<Exception, bool>? alsoRefusal = null)
    {
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(ILoggerProvider)).ToList())
        {
            services[services.IndexOf(descriptor)] = ServiceDescriptor.Singleton<ILoggerProvider>(sp => new Provider(Create(sp, descriptor), alsoRefusal));
        }
    }

    public static bool IsRefusal(Exception? exception, Func<Exception, bool>? alsoRefusal = null) => exception switch
    {
        null => false,
        OptionsValidationException or OperationCanceledException => true,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(e => IsRefusal(e, alsoRefusal)),
        _ => alsoRefusal?.Invoke(exception) == true,
    };

    private static ILoggerProvider Create(IServiceProvider sp, ServiceDescriptor d) =>
        (ILoggerProvider)(d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));

    private sealed class Provider(ILoggerProvider inner, Func<Exception, bool>? alsoRefusal) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName == HostCategory ? new Logger(inner.CreateLogger(categoryName), alsoRefusal) : inner.CreateLogger(categoryName);

        public void Dispose() => inner.Dispose();
    }

    private sealed class Logger(ILogger inner, Func<Exception, bool>? alsoRefusal) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == HostingFailedToStart && IsRefusal(exception, alsoRefusal))
            {
                return;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
