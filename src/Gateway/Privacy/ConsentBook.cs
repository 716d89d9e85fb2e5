namespace EdgeTwin.Gateway.Privacy;

using System.Collections.Immutable;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// Per patient (pseudonym) and stream class: may it leave the box? A class the patient has not
/// decided on falls back to the site default (<c>Twin:DefaultConsent</c>). Immutable, so a desired
/// document is checked against a copy and either replaces the book whole or changes nothing.
/// </summary>
internal sealed class ConsentBook
{
    private readonly ImmutableDictionary<string, ImmutableDictionary<StreamClass, bool>> _patients;

    public ConsentBook(IEnumerable<StreamClass> defaults)
        : this(defaults.ToImmutableHashSet(), ImmutableDictionary<string, ImmutableDictionary<StreamClass, bool>>.Empty.WithComparers(StringComparer.Ordinal))
    {
    }

    private ConsentBook(ImmutableHashSet<StreamClass> defaults, ImmutableDictionary<string, ImmutableDictionary<StreamClass, bool>> patients)
    {
        Defaults = defaults;
        _patients = patients;
    }

    public ImmutableHashSet<StreamClass> Defaults { get; }

    /// <summary>Patients with at least one explicit decision.</summary>
    public IEnumerable<string> Patients => _patients.Keys;

    public bool Allows(string patient, StreamClass streamClass) =>
        _patients.TryGetValue(patient, out var grants) && grants.TryGetValue(streamClass, out var granted)
            ? granted
            : Defaults.Contains(streamClass);

    /// <summary>The explicit decisions for one patient (for persistence).</summary>
    public IReadOnlyDictionary<StreamClass, bool> Explicit(string patient) =>
        _patients.TryGetValue(patient, out var grants) ? grants : ImmutableDictionary<StreamClass, bool>.Empty;

    /// <summary>Every class with its effective decision (for the reported twin).</summary>
    public IReadOnlyList<KeyValuePair<StreamClass, bool>> Effective(string patient) =>
        [.. StreamClassNames.All.Select(c => KeyValuePair.Create(c, Allows(patient, c)))];

    /// <summary>A book with one decision set; <paramref name="changed"/> says whether the effective consent changed.</summary>
    public ConsentBook With(string patient, StreamClass streamClass, bool granted, out bool changed)
    {
        changed = Allows(patient, streamClass) != granted;
        var grants = _patients.TryGetValue(patient, out var existing) ? existing : ImmutableDictionary<StreamClass, bool>.Empty;
        return new ConsentBook(Defaults, _patients.SetItem(patient, grants.SetItem(streamClass, granted)));
    }
}
