namespace EdgeTwin.Gateway.Configuration;

/// <summary>
/// A list setting given the obvious scalar way (<c>--Twin:OperatorAddresses=0xA,0xB</c>, or an
/// environment variable without the <c>__0</c> index), which the configuration binder would silently
/// ignore: its comma-separated items are taken as the list's too, so the setting is never dropped.
/// </summary>
internal static class ScalarList
{
    public static void AddTo(List<string> list, string? scalar)
    {
        foreach (var item in (scalar ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!list.Contains(item, StringComparer.OrdinalIgnoreCase))
            {
                list.Add(item);
            }
        }
    }
}
