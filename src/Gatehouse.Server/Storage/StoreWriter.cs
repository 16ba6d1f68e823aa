using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gatehouse.Server.Storage;

/// <summary>
/// The single writer of the hot paths and of cleanup (group commit): writes queued by concurrent requests run one after
/// another in one transaction per batch. SQLite has one write lock: one writer never contends for it and syncs the WAL
/// once per batch instead of once per token; PostgreSQL saves a commit per write. A cleanup batch queues like any other
/// write, so it runs between issuances instead of holding the lock while they wait.
/// </summary>
public sealed class StoreWriter : IAsyncDisposable, IDisposable
{
    private const int MaxBatch = 256;

    private abstract class PendingWrite
    {
        public abstract Task RunAsync(StoreTransaction transaction);
        public abstract void Complete();
        public abstract void Fail(Exception error);
    }

    private sealed class PendingWrite<T>(Func<StoreTransaction, Task<T>> write) : PendingWrite
    {
        private T _result = default!;
        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override async Task RunAsync(StoreTransaction transaction) => _result = await write(transaction);
        public override void Complete() => Done.TrySetResult(_result);
        public override void Fail(Exception error) => Done.TrySetException(error);
    }

    private readonly IDbContextFactory<GatehouseDbContext> _contexts;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public StoreWriter(IDbContextFactory<GatehouseDbContext> contexts)
    {
        _contexts = contexts;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>
    /// Queues <paramref name="write"/> and returns its result once its batch is committed. The write may share its
    /// transaction with others and may run twice (alone, after its batch failed and rolled back), so it must not
    /// commit, catch store errors or depend on the caller's cancellation; <paramref name="ct"/> only stops the waiting.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<StoreTransaction, Task<T>> write, CancellationToken ct)
    {
        var pending = new PendingWrite<T>(write);
        if (!_queue.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(StoreWriter));
        return pending.Done.Task.WaitAsync(ct);
    }

    private async Task WriteAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
                batch.Add(pending);
            await CommitAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitAsync(IReadOnlyList<PendingWrite> batch)
    {
        try
        {
            await using (var transaction = await StoreTransaction.BeginAsync(_contexts))
            {
                foreach (var pending in batch)
                    await pending.RunAsync(transaction);
                await transaction.CommitAsync();
            }
            foreach (var pending in batch)
                pending.Complete();
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad write must not fail the writes beside it: retry each alone, so only it fails.
            foreach (var pending in batch)
                await CommitAsync([pending]);
        }
        catch (Exception e)
        {
            batch[0].Fail(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
    }
}

/// <summary>
/// One batch's transaction: EF Core queries on <see cref="Db"/> take part in it, and <see cref="Command"/> hands out
/// parameterised commands prepared once per batch, for the writes too hot for change tracking.
/// </summary>
public sealed class StoreTransaction : IAsyncDisposable
{
    private readonly IDbContextTransaction _transaction;
    private readonly Dictionary<string, (DbCommand Command, DbParameter[] Parameters)> _commands = new(StringComparer.Ordinal);

    private StoreTransaction(GatehouseDbContext db, IDbContextTransaction transaction)
    {
        Db = db;
        _transaction = transaction;
    }

    public GatehouseDbContext Db { get; }

    public static async Task<StoreTransaction> BeginAsync(IDbContextFactory<GatehouseDbContext> contexts)
    {
        var db = await contexts.CreateDbContextAsync();
        try
        {
            return new StoreTransaction(db, await db.Database.BeginTransactionAsync());
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>A command for <paramref name="sql"/> in this transaction, its parameters named <c>@name</c> in the given order.</summary>
    public (DbCommand Command, DbParameter[] Parameters) Command(string sql, IReadOnlyList<string> parameterNames)
    {
        if (_commands.TryGetValue(sql, out var prepared))
            return prepared;
        var command = Db.Database.GetDbConnection().CreateCommand();
        command.Transaction = _transaction.GetDbTransaction();
        command.CommandText = sql;
        var parameters = parameterNames.Select(name =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        return _commands[sql] = (command, parameters);
    }

    public Task CommitAsync() => _transaction.CommitAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var (command, _) in _commands.Values)
            await command.DisposeAsync();
        await _transaction.DisposeAsync();
        await Db.DisposeAsync();
    }
}
