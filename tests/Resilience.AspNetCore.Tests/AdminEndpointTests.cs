using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Resilience.CircuitBreaker;
using Resilience.Compensation;
using Resilience.DeadLetter;

namespace Resilience.AspNetCore.Tests;

/// <summary>
/// Every route of the operator endpoints: what it answers an operator, that it refuses everyone else, that bad input
/// is a problem (RFC 9457) and that nothing changes on a refused call.
/// </summary>
public sealed class AdminEndpointTests
{
    private const string UnknownId = "01JD0000000000000000000000";

    public static TheoryData<string, string> Routes => new()
    {
        { "GET", "/resilience/" },
        { "GET", "/resilience/api/status" },
        { "GET", "/resilience/api/breakers" },
        { "GET", "/resilience/api/breakers/payments" },
        { "POST", "/resilience/api/breakers/payments/isolate" },
        { "POST", "/resilience/api/breakers/payments/close" },
        { "GET", "/resilience/api/bulkheads" },
        { "GET", "/resilience/api/rate-limiters" },
        { "GET", "/resilience/api/dead-letters/summary" },
        { "GET", "/resilience/api/dead-letters" },
        { "GET", "/resilience/api/dead-letters/{id}" },
        { "POST", "/resilience/api/dead-letters/{id}/replay" },
        { "POST", "/resilience/api/dead-letters/{id}/archive" },
        { "POST", "/resilience/api/dead-letters/{id}/restore" },
        { "DELETE", "/resilience/api/dead-letters/{id}" },
        { "POST", "/resilience/api/dead-letters/replay" },
        { "POST", "/resilience/api/dead-letters/discard" },
        { "POST", "/resilience/api/dead-letters/archive" },
        { "POST", "/resilience/api/dead-letters/restore" },
        { "GET", "/resilience/api/compensations" },
        { "POST", "/resilience/api/compensations/order-1/resume" },
        { "GET", "/resilience/api/recovery/workflows" },
        { "GET", "/resilience/api/recovery/workflows/payments/history" },
        { "GET", "/resilience/api/recovery/workflows/payments/statistics" },
        { "POST", "/resilience/api/recovery/workflows/payments/trigger" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EveryRoute_RefusesAnonymousAndNonOperators_AndChangesNothing(string method, string route)
    {
        await using var host = await AdminHost.StartAsync();
        var breaker = host.AddBreaker("payments");
        var entry = await host.AddDeadLetterAsync("charge-card", "503");
        var path = route.Replace("{id}", entry.Id, StringComparison.Ordinal);

        using var anonymous = await host.Client(user: null).SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        using var stranger = await host.Client(user: "mallory", roles: "viewer").SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        stranger.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        breaker.State.Should().Be(CircuitState.Closed, "a refused call changes nothing");
        host.DeadLetters.Get(entry.Id).Should().Be(entry, "a refused call changes nothing");

        using var operatorCall = await host.Client().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        ((int)operatorCall.StatusCode).Should().NotBe(401).And.NotBe(403);
        if (operatorCall.StatusCode == HttpStatusCode.NotFound)
        {
            // The endpoint's own answer (nothing to resume), not routing's "no such route", which has no detail.
            (await operatorCall.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().NotBeNullOrEmpty();
        }
    }

    [Fact]
    public async Task RefusedCalls_ChangeNothing()
    {
        await using var host = await AdminHost.StartAsync();
        var breaker = host.AddBreaker("payments");
        var entry = await host.AddDeadLetterAsync("charge-card", "503");
        var stranger = host.Client(user: "mallory", roles: "viewer");

        (await stranger.PostAsync("/resilience/api/breakers/payments/isolate", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await stranger.PostAsync("/resilience/api/dead-letters/archive", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await stranger.DeleteAsync($"/resilience/api/dead-letters/{entry.Id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        breaker.State.Should().Be(CircuitState.Closed);
        host.DeadLetters.Get(entry.Id).Should().Be(entry);
        host.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 900, "nothing was done, so nothing is audited as done");
    }

    [Fact]
    public async Task Start_GroupWithoutAuthorization_FailsWithAClearMessage()
    {
        var act = async () => await AdminHost.StartAsync(map: _ => { });
        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*not protected*RequireAuthorization*AllowAnonymousInDevelopment*");
    }

    [Fact]
    public async Task Start_AllowAnonymous_FailsEvenWithAuthorization()
    {
        var act = async () => await AdminHost.StartAsync(map: m => m.Group.RequireAuthorization("operators").AllowAnonymous());
        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*do not call AllowAnonymous()*");
    }

    [Fact]
    public async Task Start_AnonymousInDevelopment_OutsideDevelopmentFails_InDevelopmentServesAnonymously()
    {
        var production = async () => await AdminHost.StartAsync(map: m => m.Group.AllowAnonymousInDevelopment());
        await production.Should().ThrowAsync<InvalidOperationException>();

        await using var host = await AdminHost.StartAsync(map: m => m.Group.AllowAnonymousInDevelopment(), environment: "Development");
        (await host.Client(user: null).GetAsync("/resilience/api/status")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public void Map_WithoutAddResilienceAdmin_Throws()
    {
        var builder = WebApplication.CreateBuilder();
        var app = builder.Build();
        var act = () => app.MapResilienceAdmin("/resilience");
        act.Should().Throw<InvalidOperationException>().WithMessage("*AddResilienceAdmin*");
    }

    [Fact]
    public void AddResilienceAdmin_BadOption_NamesIt()
    {
        var services = new ServiceCollection();
        var act = () => services.AddResilienceAdmin(o => o.MaxReplayPerSecond = 0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*ResilienceAdminOptions.MaxReplayPerSecond*");
    }

    [Fact]
    public async Task Status_SummarizesEverything()
    {
        await using var host = await AdminHost.StartAsync();
        host.AddBreaker("payments");
        await host.AddDeadLetterAsync("charge-card", "503");

        var status = await host.Client().GetFromJsonAsync<JsonElement>("/resilience/api/status");

        status.GetProperty("breakersByState").GetProperty("Closed").GetInt32().Should().Be(1);
        status.GetProperty("bulkheads").GetInt32().Should().Be(1);
        status.GetProperty("rateLimiters").GetInt32().Should().Be(1);
        status.GetProperty("deadLetters").GetProperty("pending").GetInt32().Should().Be(1);
        status.GetProperty("recoveryWorkflows").GetInt32().Should().Be(1);
        status.GetProperty("generatedAt").GetDateTimeOffset().Should().Be(host.Time.GetUtcNow());
    }

    [Fact]
    public async Task Breakers_ListGetIsolateClose_AuditedWithUserActionTargetCount()
    {
        await using var host = await AdminHost.StartAsync();
        var breaker = host.AddBreaker("payments");
        var client = host.Client();

        var list = await client.GetFromJsonAsync<JsonElement>("/resilience/api/breakers");
        list.EnumerateArray().Select(b => b.GetProperty("name").GetString()).Should().Equal("payments");

        var isolated = await client.PostAsync("/resilience/api/breakers/payments/isolate", null);
        isolated.StatusCode.Should().Be(HttpStatusCode.OK);
        (await isolated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString().Should().Be("Isolated");
        breaker.State.Should().Be(CircuitState.Isolated);

        var audit = host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 900).Subject;
        audit.Id.Name.Should().Be("ResilienceAdminAction");
        audit.StructuredState!.Should().Contain(new KeyValuePair<string, string?>("User", AdminHost.Operator));
        audit.StructuredState!.Should().Contain(new KeyValuePair<string, string?>("Action", "breaker.isolate"));
        audit.StructuredState!.Should().Contain(new KeyValuePair<string, string?>("Target", "breaker:payments"));
        audit.StructuredState!.Should().Contain(new KeyValuePair<string, string?>("Count", "1"));

        (await client.PostAsync("/resilience/api/breakers/payments/close", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        breaker.State.Should().Be(CircuitState.Closed);
        (await client.GetFromJsonAsync<JsonElement>("/resilience/api/breakers/payments")).GetProperty("state").GetString().Should().Be("Closed");
    }

    [Fact]
    public async Task Breakers_Unknown_Is404Problem()
    {
        await using var host = await AdminHost.StartAsync();
        var client = host.Client();

        await ShouldBeProblem(await client.GetAsync("/resilience/api/breakers/nope"), HttpStatusCode.NotFound, "*nope*");
        await ShouldBeProblem(await client.PostAsync("/resilience/api/breakers/nope/isolate", null), HttpStatusCode.NotFound, "*nope*");
    }

    [Fact]
    public async Task BulkheadsAndRateLimiters_ShowLoad()
    {
        await using var host = await AdminHost.StartAsync();
        var client = host.Client();

        var bulkhead = (await client.GetFromJsonAsync<JsonElement>("/resilience/api/bulkheads")).EnumerateArray().Single();
        bulkhead.GetProperty("name").GetString().Should().Be("db");
        bulkhead.GetProperty("maxConcurrency").GetInt32().Should().Be(4);
        bulkhead.GetProperty("inUse").GetInt32().Should().Be(0);

        var limiter = (await client.GetFromJsonAsync<JsonElement>("/resilience/api/rate-limiters")).EnumerateArray().Single();
        limiter.GetProperty("name").GetString().Should().Be("outbound");
        limiter.GetProperty("availablePermits").GetInt64().Should().Be(3);
        limiter.GetProperty("rejected").GetInt64().Should().Be(0);
    }

    [Fact]
    public async Task DeadLetters_SummaryByFailureGroup_AndQueryWithFiltersAndPaging()
    {
        await using var host = await AdminHost.StartAsync();
        var first = await host.AddDeadLetterAsync("charge-card", "503 Service Unavailable");
        await host.AddDeadLetterAsync("charge-card", "504 Gateway Timeout");
        await host.AddDeadLetterAsync("send-email", "smtp down", "   at Shop.Mail.Send()");
        var client = host.Client();

        var summary = await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters/summary");
        var groups = summary.GetProperty("groups").EnumerateArray().ToList();
        groups.Select(g => g.GetProperty("count").GetInt32()).Should().Equal(2, 1);
        groups[0].GetProperty("key").GetString().Should().Be(first.FailureGroup);
        summary.GetProperty("statistics").GetProperty("pending").GetInt32().Should().Be(3);

        var byType = await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters/summary?groupBy=operationType");
        byType.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("key").GetString()).Should().Equal("charge-card", "send-email");

        var page = await client.GetFromJsonAsync<JsonElement>($"/resilience/api/dead-letters?failureGroup={first.FailureGroup}&take=1&skip=1");
        page.GetProperty("totalMatches").GetInt32().Should().Be(2);
        page.GetProperty("entries").EnumerateArray().Single().GetProperty("error").GetProperty("message").GetString().Should().Be("504 Gateway Timeout");
        page.GetProperty("damagedIds").GetArrayLength().Should().Be(0, "a page names the entries whose records it could not read (none here)");

        (await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters?messageContains=gateway")).GetProperty("totalMatches").GetInt32().Should().Be(1);
        (await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters?message=smtp%20down")).GetProperty("totalMatches").GetInt32().Should().Be(1);
        (await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters?status=exhausted")).GetProperty("totalMatches").GetInt32().Should().Be(0);
        (await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters?operationType=send-email&createdFrom=2026-12-01T00:00:00Z&createdTo=2026-12-02T00:00:00Z")).GetProperty("totalMatches").GetInt32().Should().Be(1);
    }

    [Theory]
    [InlineData("/resilience/api/dead-letters?take=-1", "*take*")]
    [InlineData("/resilience/api/dead-letters?take=0", "*take*")]
    [InlineData("/resilience/api/dead-letters?take=100000", "*take*")]
    [InlineData("/resilience/api/dead-letters?skip=-5", "*skip*")]
    [InlineData("/resilience/api/dead-letters?status=Bogus", "*status*")]
    [InlineData("/resilience/api/dead-letters?status=7", "*status*")]
    [InlineData("/resilience/api/dead-letters?createdFrom=yesterday", "*createdFrom*")]
    [InlineData("/resilience/api/dead-letters?createdFrom=2026-12-02T00:00:00Z&createdTo=2026-12-01T00:00:00Z", "*before*")]
    [InlineData("/resilience/api/dead-letters?failureGroup=XYZ", "*failureGroup*")]
    [InlineData("/resilience/api/dead-letters?includeArchived=maybe", "*includeArchived*")]
    [InlineData("/resilience/api/dead-letters?statuz=Pending", "*Unknown filter 'statuz'*")]
    [InlineData("/resilience/api/dead-letters/summary?groupBy=tenant", "*groupBy*")]
    [InlineData("/resilience/api/dead-letters?dryRun=true", "*Unknown filter 'dryRun'*")]
    [InlineData("/resilience/api/dead-letters/not-an-id", "*not a dead letter id*")]
    public async Task DeadLetters_BadInput_Is400Problem(string url, string detail)
    {
        await using var host = await AdminHost.StartAsync();
        await ShouldBeProblem(await host.Client().GetAsync(url), HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task DeadLetters_GetOne_HidesPayloadUnlessARedactionHookShowsIt()
    {
        await using (var hidden = await AdminHost.StartAsync())
        {
            var entry = await hidden.AddDeadLetterAsync("charge-card", "503");
            var dto = await hidden.Client().GetFromJsonAsync<JsonElement>($"/resilience/api/dead-letters/{entry.Id}");
            dto.GetProperty("payloadHidden").GetBoolean().Should().BeTrue();
            dto.GetProperty("payload").ValueKind.Should().Be(JsonValueKind.Null);
            dto.GetProperty("payloadBytes").GetInt32().Should().Be(entry.Payload.Length);
            dto.GetProperty("failureGroup").GetString().Should().Be(entry.FailureGroup);
        }

        await using var shown = await AdminHost.StartAsync(o => o.RevealPayload = e => "card ****");
        var shownEntry = await shown.AddDeadLetterAsync("charge-card", "503");
        var shownDto = await shown.Client().GetFromJsonAsync<JsonElement>($"/resilience/api/dead-letters/{shownEntry.Id}");
        shownDto.GetProperty("payload").GetString().Should().Be("card ****");
        shownDto.GetProperty("payloadHidden").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task DeadLetters_UnknownEntry_Is404ForEveryAction()
    {
        await using var host = await AdminHost.StartAsync();
        var client = host.Client();

        await ShouldBeProblem(await client.GetAsync($"/resilience/api/dead-letters/{UnknownId}"), HttpStatusCode.NotFound, "*" + UnknownId + "*");
        await ShouldBeProblem(await client.PostAsync($"/resilience/api/dead-letters/{UnknownId}/replay", null), HttpStatusCode.NotFound, "*" + UnknownId + "*");
        await ShouldBeProblem(await client.DeleteAsync($"/resilience/api/dead-letters/{UnknownId}"), HttpStatusCode.NotFound, "*" + UnknownId + "*");
        await ShouldBeProblem(await client.PostAsync("/resilience/api/dead-letters/bad-id/archive", null), HttpStatusCode.BadRequest, "*not a dead letter id*");
    }

    [Fact]
    public async Task DeadLetters_ReplayOne_WithStaleVersion_Is409AndChangesNothing()
    {
        await using var host = await AdminHost.StartAsync();
        host.DeadLetters.RegisterHandler("charge-card", (_, _) => default);
        var entry = await host.AddDeadLetterAsync("charge-card", "503");
        var client = host.Client();

        await ShouldBeProblem(await client.PostAsync($"/resilience/api/dead-letters/{entry.Id}/replay?version={entry.Version + 5}", null), HttpStatusCode.Conflict, "*version*");
        await ShouldBeProblem(await client.PostAsync($"/resilience/api/dead-letters/{entry.Id}/replay?version=abc", null), HttpStatusCode.BadRequest, "*version*");
        await ShouldBeProblem(await client.PostAsync($"/resilience/api/dead-letters/{entry.Id}/replay?force=true", null), HttpStatusCode.BadRequest, "*version*");
        host.DeadLetters.Get(entry.Id).Should().Be(entry);

        var replayed = await client.PostAsync($"/resilience/api/dead-letters/{entry.Id}/replay?version={entry.Version}", null);
        replayed.StatusCode.Should().Be(HttpStatusCode.OK);
        (await replayed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replayCount").GetInt32().Should().Be(1);
        host.DeadLetters.Get(entry.Id)!.ReplayCount.Should().Be(1);
    }

    [Fact]
    public async Task DeadLetters_ArchiveRestoreDiscardOne()
    {
        await using var host = await AdminHost.StartAsync();
        var entry = await host.AddDeadLetterAsync("charge-card", "503");
        var client = host.Client();

        (await client.PostAsync($"/resilience/api/dead-letters/{entry.Id}/archive", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        host.DeadLetters.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Archived);
        await ShouldBeProblem(await client.PostAsync($"/resilience/api/dead-letters/{entry.Id}/replay", null), HttpStatusCode.Conflict, "*archived*");

        (await client.PostAsync($"/resilience/api/dead-letters/{entry.Id}/restore", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        host.DeadLetters.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Exhausted);
        await ShouldBeProblem(await client.PostAsync($"/resilience/api/dead-letters/{entry.Id}/restore", null), HttpStatusCode.Conflict, "*not archived*");

        (await client.DeleteAsync($"/resilience/api/dead-letters/{entry.Id}")).StatusCode.Should().Be(HttpStatusCode.OK);
        host.DeadLetters.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Discarded);
    }

    [Fact]
    public async Task DeadLetters_ReplayMatching_DryRunCountsFirst_ThenReplaysAtTheRate()
    {
        await using var host = await AdminHost.StartAsync();
        host.DeadLetters.RegisterHandler("charge-card", (_, _) => default);
        var a = await host.AddDeadLetterAsync("charge-card", "503");
        var b = await host.AddDeadLetterAsync("charge-card", "503");
        var mail = await host.AddDeadLetterAsync("send-email", "smtp", "   at Shop.Mail.Send()");
        var client = host.Client();
        var group = $"failureGroup={a.FailureGroup}";

        var dry = await client.PostAsync($"/resilience/api/dead-letters/replay?{group}&dryRun=true", null);
        (await dry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32().Should().Be(2);
        host.DeadLetters.Get(a.Id).Should().Be(a, "a dry run changes nothing");

        var done = await client.PostAsync($"/resilience/api/dead-letters/replay?{group}&rate=2", null);
        var result = await done.Content.ReadFromJsonAsync<JsonElement>();
        result.GetProperty("count").GetInt32().Should().Be(2);
        result.GetProperty("dryRun").GetBoolean().Should().BeFalse();
        var replayedB = host.DeadLetters.Get(b.Id)!;
        replayedB.ReplayCount.Should().Be(1);
        (replayedB.NextAttemptAt - host.DeadLetters.Get(a.Id)!.NextAttemptAt).Should().Be(TimeSpan.FromMilliseconds(500), "two a second: the second starts half a second after the first");
        host.DeadLetters.Get(mail.Id).Should().Be(mail);
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 901).And.Contain(r => r.Id.Id == 900 && r.Message.Contains("2 affected", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rate=0", "*rate*")]
    [InlineData("rate=-1", "*rate*")]
    [InlineData("rate=NaN", "*rate*")]
    [InlineData("rate=1000", "*MaxReplayPerSecond*")]
    [InlineData("take=5", "*skip and take*")]
    [InlineData("dryRun=perhaps", "*dryRun*")]
    [InlineData("status=Nope", "*status*")]
    public async Task DeadLetters_ReplayMatching_BadInput_Is400AndChangesNothing(string query, string detail)
    {
        await using var host = await AdminHost.StartAsync();
        host.DeadLetters.RegisterHandler("charge-card", (_, _) => default);
        var entry = await host.AddDeadLetterAsync("charge-card", "503");

        await ShouldBeProblem(await host.Client().PostAsync($"/resilience/api/dead-letters/replay?{query}", null), HttpStatusCode.BadRequest, detail);
        host.DeadLetters.Get(entry.Id).Should().Be(entry);
    }

    [Fact]
    public async Task DeadLetters_ReplayMatching_WithoutHandler_Is409AndChangesNothing()
    {
        await using var host = await AdminHost.StartAsync();
        var entry = await host.AddDeadLetterAsync("charge-card", "503");

        await ShouldBeProblem(await host.Client().PostAsync("/resilience/api/dead-letters/replay", null), HttpStatusCode.Conflict, "*No handler*Nothing was changed*");
        host.DeadLetters.Get(entry.Id).Should().Be(entry);
    }

    [Fact]
    public async Task DeadLetters_ArchiveRestoreDiscardMatching_ReturnCounts()
    {
        await using var host = await AdminHost.StartAsync();
        var a = await host.AddDeadLetterAsync("charge-card", "503");
        await host.AddDeadLetterAsync("charge-card", "503");
        var mail = await host.AddDeadLetterAsync("send-email", "smtp", "   at Shop.Mail.Send()");
        var client = host.Client();

        (await Count(await client.PostAsync($"/resilience/api/dead-letters/archive?failureGroup={a.FailureGroup}", null))).Should().Be(2);
        (await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters/summary")).GetProperty("groups").GetArrayLength().Should().Be(1, "archived groups drop out of the summary");
        (await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters?includeArchived=true")).GetProperty("totalMatches").GetInt32().Should().Be(3);
        (await Count(await client.PostAsync($"/resilience/api/dead-letters/restore?failureGroup={a.FailureGroup}&dryRun=true", null))).Should().Be(2);
        (await Count(await client.PostAsync($"/resilience/api/dead-letters/restore?failureGroup={a.FailureGroup}", null))).Should().Be(2);
        (await Count(await client.PostAsync("/resilience/api/dead-letters/discard?operationType=send-email", null))).Should().Be(1);
        host.DeadLetters.Get(mail.Id)!.Status.Should().Be(DeadLetterStatus.Discarded);
    }

    [Fact]
    public async Task Mutations_RateLimitedPerUser_429Problem()
    {
        await using var host = await AdminHost.StartAsync(o => o.MutationsPerMinute = 2);
        host.AddBreaker("payments");
        var alice = host.Client();
        var bob = host.Client(user: "bob");

        (await alice.PostAsync("/resilience/api/breakers/payments/isolate", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await alice.PostAsync("/resilience/api/breakers/payments/close", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var third = await alice.PostAsync("/resilience/api/breakers/payments/isolate", null);
        await ShouldBeProblem(third, HttpStatusCode.TooManyRequests, "*MutationsPerMinute*");
        host.Breakers.TryGet("payments", out var breaker).Should().BeTrue();
        breaker!.State.Should().Be(CircuitState.Closed, "the refused call did nothing");

        (await bob.PostAsync("/resilience/api/breakers/payments/isolate", null)).StatusCode.Should().Be(HttpStatusCode.OK, "the limit is per user");
        (await alice.GetAsync("/resilience/api/breakers")).StatusCode.Should().Be(HttpStatusCode.OK, "reads are not limited");
    }

    [Fact]
    public async Task Dashboard_ServesPageWithCspAndToken_AndCookieCallsNeedTheToken()
    {
        await using var host = await AdminHost.StartAsync();
        var breaker = host.AddBreaker("payments");
        var client = host.Client();

        var redirect = await host.Client().GetAsync("/resilience");
        redirect.StatusCode.Should().Be(HttpStatusCode.Redirect);
        redirect.Headers.Location!.ToString().Should().Be("/resilience/");

        var page = await client.GetAsync("/resilience/");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'").And.Contain("script-src 'self'").And.NotContain("unsafe-inline");
        var html = await page.Content.ReadAsStringAsync();
        html.Should().NotContain("{{antiforgery-token}}").And.NotContain("http://").And.NotContain("https://", "no CDN: every file comes from the package");
        (await client.GetAsync("/resilience/favicon.svg")).StatusCode.Should().Be(HttpStatusCode.OK);
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"resilience-antiforgery\" content=\"([^\"]+)\"").Groups[1].Value;
        token.Should().NotBeEmpty();
        var cookie = page.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        (await client.GetAsync("/resilience/dashboard.js")).Content.Headers.ContentType!.MediaType.Should().Be("text/javascript");
        (await client.GetAsync("/resilience/dashboard.css")).StatusCode.Should().Be(HttpStatusCode.OK);

        var forged = new HttpRequestMessage(HttpMethod.Post, "/resilience/api/breakers/payments/isolate");
        forged.Headers.Add("Cookie", cookie);
        await ShouldBeProblem(await client.SendAsync(forged), HttpStatusCode.BadRequest, "*antiforgery*");
        breaker.State.Should().Be(CircuitState.Closed, "the forged call did nothing");

        var genuine = new HttpRequestMessage(HttpMethod.Post, "/resilience/api/breakers/payments/isolate");
        genuine.Headers.Add("Cookie", cookie);
        genuine.Headers.Add("RequestVerificationToken", token);
        (await client.SendAsync(genuine)).StatusCode.Should().Be(HttpStatusCode.OK);
        breaker.State.Should().Be(CircuitState.Isolated);
    }

    [Fact]
    public async Task Compensations_ListParked_AndResumeUnknownIs404()
    {
        await using var host = await AdminHost.StartAsync();
        var client = host.Client();

        var list = await client.GetFromJsonAsync<JsonElement>("/resilience/api/compensations");
        list.GetProperty("pending").GetInt64().Should().Be(0);
        list.GetProperty("parked").GetArrayLength().Should().Be(0);

        await ShouldBeProblem(await client.PostAsync("/resilience/api/compensations/order-9/resume", null), HttpStatusCode.NotFound, "*order-9*");
    }

    [Fact]
    public async Task Compensations_ManySettledParkedEntries_DoNotHideALiveOne()
    {
        await using var host = await AdminHost.StartAsync();
        var client = host.Client();
        for (var i = 0; i < 501; i++)
        {
            var settled = await host.AddDeadLetterAsync(CompensationManager.ParkedOperationType, $"old {i}");
            await host.DeadLetters.DiscardAsync(settled.Id);
        }

        var live = await host.AddDeadLetterAsync(CompensationManager.ParkedOperationType, "still parked");

        var list = await client.GetFromJsonAsync<JsonElement>("/resilience/api/compensations");

        list.GetProperty("parked").EnumerateArray().Select(p => p.GetProperty("entryId").GetString()).Should().Equal(live.Id);
    }

    [Fact]
    public async Task Recovery_ListTriggerHistoryStatistics()
    {
        await using var host = await AdminHost.StartAsync();
        var client = host.Client();

        var list = await client.GetFromJsonAsync<JsonElement>("/resilience/api/recovery/workflows");
        var workflow = list.EnumerateArray().Single();
        workflow.GetProperty("name").GetString().Should().Be("payments");
        workflow.GetProperty("steps").EnumerateArray().Select(s => s.GetString()).Should().Equal("probe");

        var trigger = await client.PostAsync("/resilience/api/recovery/workflows/payments/trigger", null);
        trigger.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await trigger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().Should().Be("Started");
        var workflows = host.App.Services.GetRequiredKeyedService<Recovery.RecoveryWorkflow>("payments");
        if (workflows.CurrentRun is { } run)
        {
            await run.Completion;
        }

        var history = await client.GetFromJsonAsync<JsonElement>("/resilience/api/recovery/workflows/payments/history");
        var record = history.EnumerateArray().Single();
        record.GetProperty("triggeredBy").GetString().Should().Be(AdminHost.Operator);
        record.GetProperty("trigger").GetString().Should().Be("Manual");
        (await client.GetFromJsonAsync<JsonElement>("/resilience/api/recovery/workflows/payments/statistics")).GetProperty("runs").GetInt32().Should().Be(1);

        await ShouldBeProblem(await client.GetAsync("/resilience/api/recovery/workflows/nope/history"), HttpStatusCode.NotFound, "*nope*");
        await ShouldBeProblem(await client.PostAsync("/resilience/api/recovery/workflows/nope/trigger", null), HttpStatusCode.NotFound, "*nope*");
    }

    private static async Task<int> Count(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32();
    }

    private static async Task ShouldBeProblem(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        problem.GetProperty("title").GetString().Should().NotBeNullOrEmpty();
        problem.GetProperty("detail").GetString().Should().Match(detail);
    }
}
