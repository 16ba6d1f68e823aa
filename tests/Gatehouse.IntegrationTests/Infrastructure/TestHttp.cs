namespace Gatehouse.IntegrationTests.Infrastructure;

public static class TestHttp
{
    /// <summary>An HttpClient for a loopback server: no proxy from the environment, a bounded timeout.</summary>
    public static HttpClient Create(Uri baseAddress, TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
}
