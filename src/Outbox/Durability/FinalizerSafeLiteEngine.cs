namespace EdgeTwin.Outbox.Durability;

using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using LiteDB.Engine;

/// <summary>
/// LiteDB's engine, whose disposal leaves no transaction for the garbage collector's finalizer thread.
/// <para>
/// In LiteDB 5.0.21 a write that fails inside a commit (a full disk: the log page was already handed to
/// the cache as readable when the write threw) leaves its transaction unable to roll back or dispose:
/// the rollback writes the transaction's new pages through the log (and fails the same way) or meets
/// that page, and the dispose throws "discarded page must be writable", so the engine's dispose stops at it. Such a
/// transaction (and any after it in the engine's list) keeps its finalizer, which runs the same dispose
/// on the finalizer thread at some later full collection, and the exception there ends the process
/// (litedb-org/LiteDB#2828, fixed only in the 6.0 prereleases). On a bedside box that is a crash
/// minutes after the disk filled, well after the store was closed and reopened.
/// </para>
/// <para>
/// After the engine's own dispose this takes every transaction it left in its list out of
/// finalization. Nothing is lost by it: the finalizer could only repeat the dispose that failed, for a
/// closed engine whose files are closed; the outbox or store is reopened over the files, and LiteDB's
/// recovery keeps only whole transactions.
/// </para>
/// </summary>
public sealed class FinalizerSafeLiteEngine(EngineSettings settings) : LiteEngine(settings)
{
    // LiteDB 5.0.21 internals: LiteEngine._monitor (TransactionMonitor), its _transactions
    // (Dictionary<uint, TransactionService>, locked on itself). A test fails if a LiteDB update moves them.
    // The trimmer keeps both (the gateway is published AOT) by the DynamicDependency below.
    private static readonly FieldInfo? MonitorField = typeof(LiteEngine).GetField("_monitor", BindingFlags.Instance | BindingFlags.NonPublic);
    private static readonly FieldInfo? TransactionsField = MonitorFields(MonitorField?.FieldType);

    /// <summary>Whether this LiteDB version has the fields <see cref="Dispose(bool)"/> reads (tests assert it).</summary>
    public static bool CanReachTransactions => TransactionsField is not null && typeof(IDictionary).IsAssignableFrom(TransactionsField.FieldType);

    /// <summary>How many transactions LiteDB could not dispose in this process (each taken out of finalization).</summary>
    public static long LeftTransactions => Interlocked.Read(ref _leftTransactions);

    private static long _leftTransactions;

    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            TakeLeftTransactionsOutOfFinalization();
        }
    }

    private void TakeLeftTransactionsOutOfFinalization()
    {
        var transactions = Transactions();
        if (transactions is null)
        {
            return;
        }

        lock (transactions)
        {
            foreach (var transaction in transactions.Values)
            {
                GC.SuppressFinalize(transaction);
                Interlocked.Increment(ref _leftTransactions);
            }
        }
    }

    [DynamicDependency(DynamicallyAccessedMemberTypes.NonPublicFields, typeof(LiteEngine))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.NonPublicFields, "LiteDB.Engine.TransactionMonitor", "LiteDB")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "TransactionMonitor's fields are kept by the DynamicDependency on this method.")]
    private static FieldInfo? MonitorFields(Type? monitor) => monitor?.GetField("_transactions", BindingFlags.Instance | BindingFlags.NonPublic);

    private IDictionary? Transactions() =>
        CanReachTransactions && MonitorField!.GetValue(this) is { } monitor ? TransactionsField!.GetValue(monitor) as IDictionary : null;
}
