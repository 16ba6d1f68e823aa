using Gatehouse.Protocol.Spiffe;
using Gatehouse.Workload.Registration;

namespace Gatehouse.Workload.Tests;

public class SelectorTests
{
    [Theory]
    [InlineData("unix:uid:1000", "unix", "uid:1000")]
    [InlineData("unix:gid:0", "unix", "gid:0")]
    [InlineData("unix:path:/usr/bin/api", "unix", "path:/usr/bin/api")]
    [InlineData("k8s:ns:prod", "k8s", "ns:prod")]
    [InlineData("k8s:sa:appointments", "k8s", "sa:appointments")]
    [InlineData("k8s:pod-label:app:api", "k8s", "pod-label:app:api")]
    [InlineData("k8s:pod-label:tier:", "k8s", "pod-label:tier:")]
    [InlineData("agent:id:spiffe://example.org/gatehouse/agent/join_token/abc", "agent", "id:spiffe://example.org/gatehouse/agent/join_token/abc")]
    public void Parse_KnownKinds(string text, string type, string value)
    {
        var selector = Selector.Parse(text);

        Assert.Equal(new Selector(type, value), selector);
        Assert.Equal(text, selector.ToString());
    }

    [Theory]
    [InlineData("unix:uid:-1")]
    [InlineData("unix:uid:abc")]
    [InlineData("unix:uid:99999999999")]
    [InlineData("unix:path:relative")]
    [InlineData("k8s:ns:")]
    [InlineData("k8s:ns:a:b")]
    [InlineData("k8s:pod-label:novalue")]
    [InlineData("k8s:pod-label::v")]
    [InlineData("agent:id:node-a")]
    [InlineData("agent:id:spiffe://Example.org/agent")]
    [InlineData("docker:label:x")]
    [InlineData("unix")]
    [InlineData("")]
    public void Parse_Invalid_Rejected(string text) => Assert.False(Selector.TryParse(text, out _, out _));

    [Fact]
    public void Factories_ProduceParsableSelectors()
    {
        Assert.Equal("unix:uid:1000", Selector.UnixUid(1000).ToString());
        Assert.Equal("k8s:pod-label:app:api", Selector.K8sPodLabel("app", "api").ToString());
    }
}

public class RegistrationEntryMatcherTests
{
    private static readonly SpiffeId Api = SpiffeId.Parse("spiffe://example.org/api");

    private static RegistrationEntry Entry(params string[] selectors) => new("e1", Api, selectors.Select(Selector.Parse));
    private static HashSet<Selector> Workload(params string[] selectors) => selectors.Select(Selector.Parse).ToHashSet();

    [Fact]
    public void AllSelectorsAmongWorkloads_Matches() =>
        Assert.True(RegistrationEntryMatcher.Matches(Entry("k8s:ns:prod", "k8s:sa:api"), Workload("k8s:ns:prod", "k8s:sa:api", "k8s:pod-label:app:api")));

    [Fact]
    public void OneSelectorMissing_DoesNotMatch() =>
        Assert.False(RegistrationEntryMatcher.Matches(Entry("k8s:ns:prod", "k8s:sa:api"), Workload("k8s:ns:prod", "k8s:sa:web")));

    [Fact]
    public void SameValueOtherKind_DoesNotMatch() =>
        Assert.False(RegistrationEntryMatcher.Matches(Entry("unix:uid:1000"), Workload("unix:gid:1000")));

    [Fact]
    public void Entry_WithoutSelectors_Refused() =>
        Assert.Throws<ArgumentException>(() => new RegistrationEntry("e", Api, []));

    [Fact]
    public void Entry_TrustDomainId_Refused() =>
        Assert.Throws<ArgumentException>(() => new RegistrationEntry("e", SpiffeId.Parse("spiffe://example.org"), [Selector.UnixUid(1)]));

    [Fact]
    public async Task InMemoryStore_CreateFindListMatchDelete()
    {
        var store = new InMemoryRegistrationEntryStore();
        var api = new RegistrationEntry("api", Api, [Selector.UnixUid(1000), Selector.UnixPath("/usr/bin/api")], ["api"]);
        var db = new RegistrationEntry("db", SpiffeId.Parse("spiffe://example.org/db"), [Selector.UnixUid(26)]);

        Assert.True(await store.CreateAsync(api));
        Assert.True(await store.CreateAsync(db));
        Assert.False(await store.CreateAsync(api));
        Assert.Same(api, await store.FindAsync("api"));
        Assert.Equal(["api", "db"], (await store.ListAsync()).Select(e => e.Id));

        var matched = await store.MatchAsync([Selector.UnixUid(1000), Selector.UnixGid(1000), Selector.UnixPath("/usr/bin/api")]);
        Assert.Equal([api], matched);
        Assert.Empty(await store.MatchAsync([Selector.UnixUid(1000)]));

        Assert.True(await store.DeleteAsync("api"));
        Assert.False(await store.DeleteAsync("api"));
        Assert.Null(await store.FindAsync("api"));
    }
}
