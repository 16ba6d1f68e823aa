using Deque.AxeCore.Playwright;
using Gatehouse.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gatehouse.Samples.Medical.Tests;

/// <summary>
/// A security report written by <see cref="SecurityReportDocument"/> into a temporary directory from outcomes chosen
/// here — one of them a failure, one rule with no scenario — and a headless Chromium to read it, both shared by the
/// tests of <see cref="SecurityReportTests"/>. The outcomes are built here rather than taken from the run's
/// own report, which the other test classes are still writing while these tests run.
/// </summary>
public sealed class KnownReport : IAsyncLifetime
{
    private static readonly DateTimeOffset StartedAt = new(2026, 11, 22, 9, 30, 0, TimeSpan.Zero);
    public static readonly string NotRunRule = Rules.NoIdTampering;
    public static readonly ScenarioOutcome Failed = new(Rules.ChangeOnlyOwn, "Dr Bob edits Dr Alice's appointment a-1 <a-1> & gets 403",
        "EditOthersAppointment_Returns403", false, "expected 403, got 200: {\"id\":\"a-1\"}", TimeSpan.FromMilliseconds(12));

    // Every rule but one has a passing scenario; the rule with the failure has a passing one too, so the rule's FAIL
    // must come from the failed row, not from the rule having no passes.
    public static readonly ScenarioOutcome[] Outcomes =
    [
        .. Rules.All.Where(rule => rule != NotRunRule).Select((rule, i) =>
            new ScenarioOutcome(rule, $"Passing scenario #{i + 1}.", $"PassingTest{i + 1}", true, null, TimeSpan.FromMilliseconds(3))),
        Failed,
    ];

    public string Folder { get; } = Directory.CreateTempSubdirectory("gatehouse-report-").FullName;
    public HeadlessChromium Chromium { get; private set; } = null!;

    public string HtmlUrl => new Uri(Path.Combine(Folder, SecurityReportDocument.HtmlFile)).AbsoluteUri;

    /// <summary>The heading the report must show for <paramref name="rule"/>: number, status in words, rule.</summary>
    public static string Heading(string rule) =>
        $"{Array.IndexOf(Rules.All, rule) + 1}. {(rule == NotRunRule ? "NOT RUN" : rule == Failed.Rule ? "FAIL" : "PASS")}: {rule}";

    public static SecurityReportDocument Document { get; } = new(Rules.All, Outcomes, StartedAt);

    public async Task InitializeAsync()
    {
        Document.WriteTo(Folder);
        Chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>The security report as a domain expert sees it, opened from disk in Chromium and read through the accessibility tree.</summary>
public sealed class SecurityReportTests(KnownReport report) : IClassFixture<KnownReport>
{
    [Fact]
    public async Task HtmlReport_ShowsEveryRuleWithItsScenariosAndResults()
    {
        await using var tab = await report.Chromium.NewPageAsync();
        var page = tab.Page;
        await page.GotoAsync(report.HtmlUrl);

        await Expect(page).ToHaveTitleAsync(SecurityReportDocument.Title);
        var h1 = page.GetByRole(AriaRole.Heading, new() { Level = 1 });
        await Expect(h1).ToHaveCountAsync(1);
        await Expect(h1).ToHaveTextAsync(SecurityReportDocument.Title);
        await Expect(page.GetByText($"{KnownReport.Outcomes.Length - 1} of {KnownReport.Outcomes.Length} scenarios passed, 1 failed.")).ToBeVisibleAsync();

        // Every rule, in order, with its status in words.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 2 })).ToHaveTextAsync(Rules.All.Select(KnownReport.Heading).ToArray());

        foreach (var outcome in KnownReport.Outcomes)
        {
            var table = page.GetByRole(AriaRole.Table, new() { Name = KnownReport.Heading(outcome.Rule), Exact = true });
            await Expect(table.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["Result", "Scenario", "Test", "Time"]);
            var row = table.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = outcome.Scenario }) });
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row.GetByRole(AriaRole.Cell).First).ToHaveTextAsync(outcome.Passed ? "pass" : "FAIL");
            await Expect(row.GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync(outcome.Test);
        }
        var failedRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = KnownReport.Failed.Scenario });
        await Expect(failedRow.GetByRole(AriaRole.Rowheader)).ToHaveTextAsync($"{KnownReport.Failed.Scenario}Why it failed: {KnownReport.Failed.Failure}");

        var notRun = page.GetByRole(AriaRole.Region, new() { Name = KnownReport.Heading(KnownReport.NotRunRule), Exact = true });
        await Expect(notRun.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
        await Expect(notRun.GetByText("No scenario of this rule ran.")).ToBeVisibleAsync();

        Assert.Empty(tab.ScriptErrors);
        Assert.Empty(tab.ConsoleErrors);
    }

    [Fact]
    public async Task HtmlReport_HasNoAccessibilityViolations()
    {
        await using var tab = await report.Chromium.NewPageAsync();
        await tab.Page.GotoAsync(report.HtmlUrl);

        var result = await tab.Page.RunAxe();

        Assert.True(result.Violations.Length == 0,
            string.Join("\n", result.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
        Assert.NotEmpty(result.Passes);
    }
}

/// <summary>The Markdown twin of the report, for reading in a terminal or a pull request; needs no browser.</summary>
public sealed class SecurityReportMarkdownTests
{
    [Fact]
    public void MarkdownReport_ListsEveryRuleWithItsScenariosAndResults()
    {
        var markdown = KnownReport.Document.Markdown();

        Assert.StartsWith($"# {SecurityReportDocument.Title}\n", markdown.ReplaceLineEndings("\n"));
        Assert.Equal(Rules.All.Select(rule => $"## {KnownReport.Heading(rule)}"), markdown.ReplaceLineEndings("\n").Split('\n').Where(line => line.StartsWith("## ")));
        Assert.Contains($"| **FAIL** | {KnownReport.Failed.Scenario} — why it failed: {KnownReport.Failed.Failure} | `{KnownReport.Failed.Test}` |", markdown);
        Assert.Contains("| pass | Passing scenario #1. | `PassingTest1` |", markdown);
    }
}
