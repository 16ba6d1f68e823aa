using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gatehouse.Server.Storage;

/// <summary>Issued opaque tokens and revoked JWTs. Every method is one round trip to the store.</summary>
public sealed class AccessTokenStore : IAsyncDisposable, IDisposable
{
    private const int MaxInsertBatch = 256;

    private sealed record PendingInsert(AccessTokenRecord Record)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly IDbContextFactory<GatehouseDbContext> _contexts;
    private readonly Channel<PendingInsert> _inserts = Channel.CreateUnbounded<PendingInsert>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _insertWriter;

    public AccessTokenStore(IDbContextFactory<GatehouseDbContext> contexts)
    {
        _contexts = contexts;
        _insertWriter = Task.Run(WriteInsertsAsync);
    }

    // Compiled queries are bound to the model of the first context that runs them, and each provider has its own
    // model, so they belong to the store instance (one per process and provider), not to the type.
    private readonly Func<GatehouseDbContext, string, CancellationToken, Task<AccessTokenRecord?>> FindByHashQuery =
        EF.CompileAsyncQuery((GatehouseDbContext db, string hash, CancellationToken _) =>
            db.AccessTokens.AsNoTracking().FirstOrDefault(t => t.Hash == hash));

    private readonly Func<GatehouseDbContext, string, CancellationToken, Task<bool>> IsJwtRevokedQuery =
        EF.CompileAsyncQuery((GatehouseDbContext db, string jti, CancellationToken _) =>
            db.RevokedJwts.Any(r => r.Jti == jti));

    /// <summary>
    /// Stores an issued token and returns once it is committed. Concurrent issuances share one transaction (group
    /// commit): one writer instead of many contending for SQLite's write lock, one WAL sync per batch, not per token.
    /// </summary>
    public Task AddAsync(AccessTokenRecord record, CancellationToken ct)
    {
        var pending = new PendingInsert(record);
        if (!_inserts.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(AccessTokenStore));
        return pending.Committed.Task.WaitAsync(ct);
    }

    private async Task WriteInsertsAsync()
    {
        var batch = new List<PendingInsert>(MaxInsertBatch);
        while (await _inserts.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxInsertBatch && _inserts.Reader.TryRead(out var pending))
                batch.Add(pending);
            await CommitAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitAsync(IReadOnlyList<PendingInsert> batch)
    {
        try
        {
            await InsertAsync(batch.Select(p => p.Record));
            foreach (var pending in batch)
                pending.Committed.TrySetResult();
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad row must not fail the tokens issued beside it: retry each alone, so only it fails.
            foreach (var pending in batch)
                await CommitAsync([pending]);
        }
        catch (Exception e)
        {
            batch[0].Committed.TrySetException(e);
        }
    }

    /// <summary>
    /// One transaction, one reused parameterised INSERT: issuance is the hottest write, and change tracking would
    /// cost more than the insert itself. Table and column names come from the EF model, so they cannot drift.
    /// </summary>
    private async Task InsertAsync(IEnumerable<AccessTokenRecord> records)
    {
        await using var db = _contexts.CreateDbContext();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _insertSql ??= InsertSql(db.Model);
        var parameters = InsertedProperties.Select(p =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + p;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        try
        {
            foreach (var record in records)
            {
                parameters[0].Value = record.Hash;
                parameters[1].Value = record.ClientId;
                parameters[2].Value = (object?)record.Subject ?? DBNull.Value;
                parameters[3].Value = record.Jwt;
                parameters[4].Value = record.IssuedAt;
                parameters[5].Value = record.ExpiresAt;
                parameters[6].Value = (object?)record.GrantId ?? DBNull.Value;
                await command.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
        }
        catch (DbException e)
        {
            throw new DbUpdateException("The access token could not be stored.", e);
        }
    }

    private static readonly string[] InsertedProperties =
    [
        nameof(AccessTokenRecord.Hash), nameof(AccessTokenRecord.ClientId), nameof(AccessTokenRecord.Subject),
        nameof(AccessTokenRecord.Jwt), nameof(AccessTokenRecord.IssuedAt), nameof(AccessTokenRecord.ExpiresAt),
        nameof(AccessTokenRecord.GrantId),
    ];

    private string? _insertSql;

    private static string InsertSql(IModel model)
    {
        var entity = model.FindEntityType(typeof(AccessTokenRecord))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = InsertedProperties.Select(p => entity.FindProperty(p)!.GetColumnName(table));
        return $"INSERT INTO {table.Name} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", InsertedProperties.Select(p => "@" + p))})";
    }

    public async ValueTask DisposeAsync()
    {
        _inserts.Writer.TryComplete();
        await _insertWriter;
    }

    public void Dispose()
    {
        _inserts.Writer.TryComplete();
        _insertWriter.GetAwaiter().GetResult();
    }

    public async Task<AccessTokenRecord?> FindByHashAsync(string hash, CancellationToken ct)
    {
        await using var db = _contexts.CreateDbContext();
        return await FindByHashQuery(db, hash, ct);
    }

    /// <summary>Marks the token revoked if it belongs to <paramref name="clientId"/>; false when no such token exists.</summary>
    public async Task<bool> RevokeAsync(string hash, string clientId, long now, CancellationToken ct)
    {
        await using var db = _contexts.CreateDbContext();
        var updated = await db.AccessTokens
            .Where(t => t.Hash == hash && t.ClientId == clientId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        return updated > 0;
    }

    /// <summary>Revokes every opaque access token issued from a user's grant (a replayed code, a reused refresh token, a logout).</summary>
    public async Task<int> RevokeGrantAsync(string grantId, long now, CancellationToken ct)
    {
        await using var db = _contexts.CreateDbContext();
        return await db.AccessTokens
            .Where(t => t.GrantId == grantId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    public async Task<bool> IsJwtRevokedAsync(string jti, CancellationToken ct)
    {
        await using var db = _contexts.CreateDbContext();
        return await IsJwtRevokedQuery(db, jti, ct);
    }

    public async Task RevokeJwtAsync(RevokedJwtRecord record, CancellationToken ct)
    {
        await using var db = _contexts.CreateDbContext();
        if (await IsJwtRevokedQuery(db, record.Jti, ct))
            return;
        db.RevokedJwts.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Revoked concurrently by another request: the outcome is the same. Anything else is a real failure.
            await using var check = _contexts.CreateDbContext();
            if (!await IsJwtRevokedQuery(check, record.Jti, ct))
                throw;
        }
    }

    /// <summary>Deletes at most <paramref name="batchSize"/> expired rows per table; returns how many went.</summary>
    public async Task<int> DeleteExpiredAsync(long now, int batchSize, CancellationToken ct)
    {
        await using var db = _contexts.CreateDbContext();
        var tokens = db.AccessTokens.Where(t => t.ExpiresAt <= now).OrderBy(t => t.ExpiresAt).Select(t => t.Hash).Take(batchSize);
        var deleted = await db.AccessTokens.Where(t => tokens.Contains(t.Hash)).ExecuteDeleteAsync(ct);
        var jtis = db.RevokedJwts.Where(r => r.ExpiresAt <= now).OrderBy(r => r.ExpiresAt).Select(r => r.Jti).Take(batchSize);
        deleted += await db.RevokedJwts.Where(r => jtis.Contains(r.Jti)).ExecuteDeleteAsync(ct);
        return deleted;
    }
}
