namespace EdgeTwin.Ingest.Options;

/// <summary>Which backend <c>Ingest:Storage</c> names: <c>litedb:PATH</c> or <c>postgres:CONNECTION</c>.</summary>
internal sealed record StorageSpec(StorageKind Kind, string Target)
{
    public static bool TryParse(string? text, out StorageSpec? spec, out string? problem)
    {
        spec = null;
        problem = null;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        var kind = colon > 0 ? text![..colon] : string.Empty;
        var target = colon > 0 ? text![(colon + 1)..].Trim() : string.Empty;
        if (kind is not ("litedb" or "postgres"))
        {
            problem = $"Ingest:Storage '{text}' must be litedb:PATH or postgres:CONNECTION.";
            return false;
        }

        if (target.Length == 0)
        {
            problem = $"Ingest:Storage '{text}' names no {(kind == "litedb" ? "path" : "connection string")}.";
            return false;
        }

        spec = new StorageSpec(kind == "litedb" ? StorageKind.LiteDb : StorageKind.Postgres, target);
        return true;
    }
}
