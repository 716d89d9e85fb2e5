namespace EdgeTwin.Ingest.Enrolment;

using System.Security.Cryptography;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

/// <summary>
/// Who may sign for each gateway, now: <c>Ingest:Enrolled</c> merged with <c>Ingest:EnrolmentFile</c>,
/// less every revoked address. The file is read again when its content changes
/// (<see cref="EnrolmentWatcher"/>) and the settings when they are reloaded; a file that cannot be used
/// changes nothing (logged, counted). A gateway's address is the one its chains must be signed by:
/// records of a chain whose genesis key is not it (revoked, or replaced by a new enrolment) are cut off
/// from then on (docs/operations.md "Enrolment and revocation").
/// </summary>
internal sealed class GatewayEnrolment
{
    private readonly IOptionsMonitor<IngestOptions> _options;
    private readonly ILogger _logger;
    private readonly IngestMetrics? _metrics;
    private readonly Lock _gate = new();
    private EnrolmentEntries _file = new(new Dictionary<string, string>(), new Dictionary<string, string>());
    private byte[]? _fileHash;
    private volatile Snapshot _current;

    public GatewayEnrolment(IOptionsMonitor<IngestOptions> options, ILogger<GatewayEnrolment>? logger = null, IngestMetrics? metrics = null)
    {
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = metrics;
        if (options.CurrentValue.EnrolmentFile is { Length: > 0 } path)
        {
            // At start an unusable file is a configuration error (the options validator says why first).
            var bytes = File.ReadAllBytes(path);
            _file = EnrolmentFile.Parse(bytes);
            _fileHash = SHA256.HashData(bytes);
        }

        _current = Build(options.CurrentValue, _file, 1);
        Log(_current);
        options.OnChange(o =>
        {
            lock (_gate)
            {
                _current = Build(o, _file, _current.Generation + 1);
            }
        });
    }

    /// <summary>Bumped on every change of who is enrolled or revoked.</summary>
    public long Generation => _current.Generation;

    /// <summary>The address that signs for <paramref name="gw"/>; null when none is enrolled or it is revoked.</summary>
    public string? AddressOf(string gw) => _current.Enrolled.GetValueOrDefault(gw);

    public bool IsEnrolled(string gw) => _current.Enrolled.ContainsKey(gw);

    /// <summary>The address the settings or the file enrol <paramref name="gw"/> as when that address is revoked; else null.</summary>
    public string? RevokedEnrolment(string gw) => _current.RevokedGateways.GetValueOrDefault(gw);

    /// <summary>Why <paramref name="address"/> is revoked; null when it is not.</summary>
    public string? RevokedReason(string address) => _current.Revoked.GetValueOrDefault(address);

    /// <summary>
    /// Reads the enrolment file again when its content changed. True when the enrolment in force changed;
    /// a file that cannot be read or used leaves it as it was.
    /// </summary>
    public bool ReloadFile()
    {
        var path = _options.CurrentValue.EnrolmentFile;
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        lock (_gate)
        {
            byte[] bytes;
            EnrolmentEntries entries;
            try
            {
                bytes = File.ReadAllBytes(path);
                if (_fileHash is not null && SHA256.HashData(bytes).AsSpan().SequenceEqual(_fileHash))
                {
                    return false;
                }

                entries = EnrolmentFile.Parse(bytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EnrolmentFileException)
            {
                EnrolmentLog.ReloadRefused(_logger, path, ex.Message);
                _metrics?.EnrolmentReload("refused");
                return false;
            }

            _file = entries;
            _fileHash = SHA256.HashData(bytes);
            var before = _current;
            _current = Build(_options.CurrentValue, entries, before.Generation + 1);
            _metrics?.EnrolmentReload("applied");
            EnrolmentLog.Reloaded(_logger, path, _current.Enrolled.Count, _current.Revoked.Count);
            foreach (var (gw, address) in before.Enrolled)
            {
                if (!string.Equals(_current.Enrolled.GetValueOrDefault(gw), address, StringComparison.OrdinalIgnoreCase))
                {
                    EnrolmentLog.AddressEnded(_logger, gw, address, _current.Revoked.GetValueOrDefault(address) ?? "no longer enrolled", _current.Enrolled.GetValueOrDefault(gw) ?? "none");
                }
            }

            Log(_current);
            return true;
        }
    }

    private Snapshot Build(IngestOptions o, EnrolmentEntries file, long generation)
    {
        var revoked = new Dictionary<string, string>(file.Revoked, StringComparer.OrdinalIgnoreCase);
        var enrolled = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (gw, address) in o.Enrolled.Concat(file.Gateways))
        {
            if (enrolled.TryGetValue(gw, out var other) && !string.Equals(other, address, StringComparison.OrdinalIgnoreCase))
            {
                // The validator refuses this at start; a file reloaded later loses against the settings.
                EnrolmentLog.Conflict(_logger, gw, other, address);
                continue;
            }

            enrolled[gw] = address;
        }

        var revokedGateways = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (gw, address) in enrolled.ToList())
        {
            if (revoked.ContainsKey(address))
            {
                enrolled.Remove(gw);
                revokedGateways[gw] = address;
            }
        }

        return new Snapshot(enrolled, revoked, revokedGateways, generation);
    }

    private void Log(Snapshot s)
    {
        foreach (var (gw, address) in s.RevokedGateways)
        {
            EnrolmentLog.EnrolledButRevoked(_logger, gw, address, s.Revoked[address]);
        }
    }

    private sealed record Snapshot(IReadOnlyDictionary<string, string> Enrolled, IReadOnlyDictionary<string, string> Revoked, IReadOnlyDictionary<string, string> RevokedGateways, long Generation);
}
