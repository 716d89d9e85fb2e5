namespace EdgeTwin.Outbox.Tests.Storage;

using System.Runtime.CompilerServices;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Outbox.Tests.Support;
using LiteDB;

/// <summary>
/// A commit whose log write fails (a full disk) leaves LiteDB 5.0.21 a transaction it can neither roll
/// back nor dispose; its finalizer, run at a later full collection, throws on the finalizer thread and
/// ends the process (litedb-org/LiteDB#2828). The store's engine takes such transactions out of
/// finalization when it is disposed. Without that (StoreEncryption.OpenDatabase on LiteDB's own
/// LiteEngine), this test does not fail an assertion: the test host crashes at the collections below with
/// "discarded page must be writable" from TransactionService.Finalize, the stack two CI runs died with.
/// </summary>
public sealed class FailedCommitFinalizerTests
{
    [Fact]
    public void LiteDbInternalsTheEngineReads_AreThere()
    {
        Assert.True(FinalizerSafeLiteEngine.CanReachTransactions, "LiteDB no longer has LiteEngine._monitor._transactions: FinalizerSafeLiteEngine cannot protect the process");
    }

    [Fact]
    public void ACommitWhoseLogWriteFails_LeavesATransactionLiteDbCannotDispose_AndTheProcessSurvivesItsFinalizer()
    {
        var left = FinalizerSafeLiteEngine.LeftTransactions;

        // On a thread of its own that then ends, as the store's commit thread would at a restart: LiteDB
        // keeps a transaction in a thread-local slot too, which holds it while its thread lives.
        Exception? failed = null;
        var thread = new Thread(() =>
        {
            try
            {
                FailACommitAndCloseTheStore();
            }
            catch (Exception ex)
            {
                failed = ex;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failed);
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        // Still here: the transaction LiteDB could not dispose was taken out of finalization, and counted.
        Assert.True(FinalizerSafeLiteEngine.LeftTransactions > left, "LiteDB disposed the failed transaction: the case this test is about did not happen");
    }

    /// <summary>Everything of the failed store is unreachable when this returns (no inlining keeps its locals out of the caller's frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailACommitAndCloseTheStore()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-finalizer-").FullName;
        var full = false;
        var log = new FillingFileStream(Path.Combine(dir, "log.db"), () => full);
        var db = StoreEncryption.OpenDatabase(new MemoryStream(), log, "finalizer-test", readOnly: false);
        var docs = db.GetCollection("docs");
        docs.Insert(new BsonDocument { ["n"] = 0 });

        Assert.True(db.BeginTrans());
        for (var i = 1; i <= 50; i++)
        {
            docs.Insert(new BsonDocument { ["n"] = i, ["pad"] = new string('x', 500) });
        }

        full = true;
        var commit = Assert.Throws<IOException>(() => db.Commit());
        Assert.True(StorageFaults.IsOutOfSpace(commit));

        // The rollback returns the transaction's new pages through the log, which fails the same way; the
        // dispose then meets the page that went to LiteDB's cache as readable before the commit's write
        // threw ("discarded page must be writable") and leaves the transaction behind.
        Assert.True(StorageFaults.IsOutOfSpace(Assert.Throws<IOException>(() => db.Rollback())));
        db.Dispose();
        log.Dispose();
        Directory.Delete(dir, recursive: true);
    }
}
