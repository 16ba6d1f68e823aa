using Microsoft.EntityFrameworkCore;

namespace Gatehouse.Server.Storage;

/// <summary>A row that is useless after <see cref="ExpiresAt"/> (Unix seconds) and may then be deleted.</summary>
public interface IExpiringRecord
{
    long ExpiresAt { get; }
}

public static class ExpiredRows
{
    /// <summary>
    /// Deletes at most <paramref name="batchSize"/> rows expired at <paramref name="now"/>, oldest first, and returns
    /// how many went. Run it in the <see cref="StoreWriter"/>'s transaction, so that cleanup queues between writes.
    /// </summary>
    public static Task<int> DeleteAsync<T>(DbSet<T> rows, long now, int batchSize) where T : class, IExpiringRecord
    {
        var expired = rows.Where(r => r.ExpiresAt <= now).OrderBy(r => r.ExpiresAt).Take(batchSize);
        return rows.Where(r => expired.Contains(r)).ExecuteDeleteAsync();
    }
}
