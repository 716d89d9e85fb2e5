namespace EdgeTwin.Ingest.Access;

using Microsoft.Extensions.Logging;

internal static partial class AccessLog
{
    [LoggerMessage(EventId = 7300, Level = LogLevel.Warning, Message = "Refused {Method} {Path} from {Remote}: 401 ({Reason}; {HeldBack} more held back since the last line)")]
    public static partial void Unauthenticated(ILogger logger, string method, string path, string? remote, string reason, long heldBack);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Warning, Message = "Refused {Method} {Path} from {Remote}: 403, {Subject} has roles [{Roles}] ({HeldBack} more held back since the last line)")]
    public static partial void Forbidden(ILogger logger, string method, string path, string? remote, string subject, string roles, long heldBack);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Information, Message = "Token signing key {KeyFile}: mint tokens with 'edgetwin token --key {KeyFile}'")]
    public static partial void SigningKey(ILogger logger, string keyFile);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Warning, Message = "Generated a new token signing key in {KeyFile} (mode 0600); give every worker of this ingest the same file")]
    public static partial void SigningKeyGenerated(ILogger logger, string keyFile);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Information, Message = "Accepting tokens of the identity provider {Authority} for audience {Audience}, roles in claim {RoleClaim}")]
    public static partial void Provider(ILogger logger, string authority, string audience, string roleClaim);

    [LoggerMessage(EventId = 7305, Level = LogLevel.Information, Message = "{Subject} signed in to the ward view (roles [{Roles}])")]
    public static partial void SignedIn(ILogger logger, string subject, string roles);

    [LoggerMessage(EventId = 7306, Level = LogLevel.Error, Message = "Could not record {Subject}'s read of {Route} in the access log: the response is refused")]
    public static partial void AccessNotRecorded(ILogger logger, string subject, string route, Exception ex);
}
