namespace EdgeTwin.Ingest.Tests.Integration;

using EdgeTwin.Ingest.Tests.Support;
using Npgsql;

/// <summary>
/// A throw-away PostgreSQL 15 cluster in a temp directory on a free port, Unix socket in the same
/// directory. initdb refuses to run as root, so as root (CI) the directory is given to the
/// <c>postgres</c> user and the binaries run through <c>runuser -u postgres --</c>; as a normal user
/// they run directly. Stopped (immediate) and deleted on dispose.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private static readonly bool IsRoot = Environment.UserName == "root";
    private string _dir = string.Empty;
    private int _databases;

    public int Port { get; private set; }

    public string DataDir => Path.Combine(_dir, "data");

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    public async Task InitializeAsync()
    {
        _dir = Directory.CreateTempSubdirectory("edgetwin-pg-").FullName;
        if (IsRoot)
        {
            await ProcessRunner.RunAsync("chown", ["postgres:postgres", _dir], TimeSpan.FromSeconds(10));
        }

        Port = FreePort.Next();
        await AsPostgresAsync("initdb", ["-D", DataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-locale"], TimeSpan.FromSeconds(60));
        await StartAsync();
    }

    /// <summary>
    /// Stops the server (fast: open sessions are ended, what was committed stays). Every test using
    /// this cluster sees it down: only for a fixture no other test class shares (a class fixture),
    /// never for the collection's shared one.
    /// </summary>
    public Task StopAsync() => AsPostgresAsync("pg_ctl", ["-D", DataDir, "-m", "fast", "-w", "-t", "30", "stop"], TimeSpan.FromSeconds(45));

    /// <summary>Starts the server on its port (again, after <see cref="StopAsync"/>) and waits until it accepts connections.</summary>
    public Task StartAsync() =>
        AsPostgresAsync("pg_ctl", ["-D", DataDir, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "30",
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c max_connections=100", "start"], TimeSpan.FromSeconds(45));

    /// <summary>A fresh, empty database for one test; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..20];
        await using var conn = new NpgsqlConnection(AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
        await cmd.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Directory.Exists(DataDir))
            {
                await AsPostgresAsync("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"], TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static Task<string> AsPostgresAsync(string tool, IReadOnlyList<string> args, TimeSpan timeout) =>
        IsRoot
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDir, tool), .. args], timeout)
            : ProcessRunner.RunAsync(Path.Combine(BinDir, tool), args, timeout);
}
