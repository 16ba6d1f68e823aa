using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Gatehouse.Server.Storage;

/// <summary>
/// Issued opaque tokens and revoked JWTs. Reads are one round trip to the store; issuance, revocation and cleanup go
/// through the <see cref="StoreWriter"/>, so they share transactions instead of contending for the store.
/// </summary>
public sealed class AccessTokenStore(IDbContextFactory<GatehouseDbContext> contexts, StoreWriter writer)
{
    // Compiled queries are bound to the model of the first context that runs them, and each provider has its own
    // model, so they belong to the store instance (one per process and provider), not to the type.
    private readonly Func<GatehouseDbContext, string, CancellationToken, Task<bool>> IsJwtRevokedQuery =
        EF.CompileAsyncQuery((GatehouseDbContext db, string jti, CancellationToken _) =>
            db.RevokedJwts.Any(r => r.Jti == jti));

    /// <summary>
    /// Stores an issued token and returns once it is committed: issuance is the hottest write, and change tracking
    /// would cost more than the insert itself, so it is one reused parameterised INSERT in the writer's batch.
    /// </summary>
    public Task AddAsync(AccessTokenRecord record, CancellationToken ct) => writer.WriteAsync(async transaction =>
    {
        var (command, parameters) = transaction.Command(_insertSql ??= InsertSql(transaction.Db.Model), InsertedProperties);
        parameters[0].Value = record.Hash;
        parameters[1].Value = record.ClientId;
        parameters[2].Value = (object?)record.Subject ?? DBNull.Value;
        parameters[3].Value = record.Jwt;
        parameters[4].Value = record.IssuedAt;
        parameters[5].Value = record.ExpiresAt;
        parameters[6].Value = (object?)record.GrantId ?? DBNull.Value;
        try
        {
            return await command.ExecuteNonQueryAsync();
        }
        catch (DbException e)
        {
            throw new DbUpdateException("The access token could not be stored.", e);
        }
    }, ct);

    private static readonly string[] InsertedProperties =
    [
        nameof(AccessTokenRecord.Hash), nameof(AccessTokenRecord.ClientId), nameof(AccessTokenRecord.Subject),
        nameof(AccessTokenRecord.Jwt), nameof(AccessTokenRecord.IssuedAt), nameof(AccessTokenRecord.ExpiresAt),
        nameof(AccessTokenRecord.GrantId),
    ];

    private static readonly string[] RevokeParameters = ["Now", nameof(AccessTokenRecord.Hash), nameof(AccessTokenRecord.ClientId)];

    private static readonly string[] FoundProperties =
    [
        nameof(AccessTokenRecord.ClientId), nameof(AccessTokenRecord.Subject), nameof(AccessTokenRecord.Jwt),
        nameof(AccessTokenRecord.IssuedAt), nameof(AccessTokenRecord.ExpiresAt), nameof(AccessTokenRecord.RevokedAt),
        nameof(AccessTokenRecord.GrantId),
    ];

    private string? _insertSql, _revokeSql, _findSql;

    // Table and column names come from the EF model, so they cannot drift from the migrations.
    private static (string Table, Func<string, string> Column) Names(IModel model)
    {
        var entity = model.FindEntityType(typeof(AccessTokenRecord))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        return (table.Name, property => entity.FindProperty(property)!.GetColumnName(table)!);
    }

    private static string InsertSql(IModel model)
    {
        var (table, column) = Names(model);
        return $"INSERT INTO {table} ({string.Join(", ", InsertedProperties.Select(column))}) VALUES ({string.Join(", ", InsertedProperties.Select(p => "@" + p))})";
    }

    private static string FindSql(IModel model)
    {
        var (table, column) = Names(model);
        return $"SELECT {string.Join(", ", FoundProperties.Select(column))} FROM {table} WHERE {column(nameof(AccessTokenRecord.Hash))} = @Hash";
    }

    private static string RevokeSql(IModel model)
    {
        var (table, column) = Names(model);
        var revokedAt = column(nameof(AccessTokenRecord.RevokedAt));
        return $"UPDATE {table} SET {revokedAt} = @Now WHERE {column(nameof(AccessTokenRecord.Hash))} = @Hash " +
            $"AND {column(nameof(AccessTokenRecord.ClientId))} = @ClientId AND {revokedAt} IS NULL";
    }

    /// <summary>
    /// The lookup behind every introspection and revocation: one parameterised SELECT by primary key, read by column
    /// position. Through EF's query pipeline, even compiled, it cost as much CPU as the rest of the endpoint
    /// (<c>bench/profile introspect</c>, docs/benchmarks.md).
    /// </summary>
    public async Task<AccessTokenRecord?> FindByHashAsync(string hash, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        await db.Database.OpenConnectionAsync(ct); // through EF, so that connection interceptors still run
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = _findSql ??= FindSql(db.Model);
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + nameof(AccessTokenRecord.Hash);
        parameter.Value = hash;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
        if (!await reader.ReadAsync(ct))
            return null;
        return new AccessTokenRecord
        {
            Hash = hash,
            ClientId = reader.GetString(0),
            Subject = reader.IsDBNull(1) ? null : reader.GetString(1),
            Jwt = reader.GetString(2),
            IssuedAt = reader.GetInt64(3),
            ExpiresAt = reader.GetInt64(4),
            RevokedAt = reader.IsDBNull(5) ? null : reader.GetInt64(5),
            GrantId = reader.IsDBNull(6) ? null : reader.GetString(6),
        };
    }

    /// <summary>Marks the token revoked if it belongs to <paramref name="clientId"/>; false when no such token exists.</summary>
    public async Task<bool> RevokeAsync(string hash, string clientId, long now, CancellationToken ct) =>
        await writer.WriteAsync(transaction =>
        {
            var (command, parameters) = transaction.Command(_revokeSql ??= RevokeSql(transaction.Db.Model), RevokeParameters);
            parameters[0].Value = now;
            parameters[1].Value = hash;
            parameters[2].Value = clientId;
            return command.ExecuteNonQueryAsync();
        }, ct) > 0;

    /// <summary>Revokes every opaque access token issued from a user's grant (a replayed code, a reused refresh token, a logout).</summary>
    public async Task<int> RevokeGrantAsync(string grantId, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await db.AccessTokens
            .Where(t => t.GrantId == grantId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    /// <summary>Revokes every opaque access token issued from any grant of the user (the user was disabled).</summary>
    public async Task<int> RevokeSubjectAsync(string subject, long now, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        // Grant-less tokens are client credentials, whose subject is a client id: never a user's to lose.
        return await db.AccessTokens
            .Where(t => t.Subject == subject && t.GrantId != null && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    public async Task<bool> IsJwtRevokedAsync(string jti, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        return await IsJwtRevokedQuery(db, jti, ct);
    }

    public async Task RevokeJwtAsync(RevokedJwtRecord record, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
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
            await using var check = contexts.CreateDbContext();
            if (!await IsJwtRevokedQuery(check, record.Jti, ct))
                throw;
        }
    }
}
