using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Resilience.DeadLetter;

namespace Resilience.AspNetCore.Tests;

/// <summary>
/// A dead letter whose record no longer verifies on disk (found when it is read: records are not all read at open):
/// a page names it in <c>damagedIds</c>, and the single-entry routes answer a problem that says what to do instead of
/// failing (they answered 500 before, and nothing in the API could remove it); a DELETE removes it, its version still
/// checked when one is given.
/// </summary>
public sealed class DamagedDeadLetterEndpointTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "resilience-admin-damaged-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task DamagedEntry_NamedInThePage_RefusedAsAProblemByItsRoutes_RemovedByDelete()
    {
        var (ids, damagedVersion) = await StoreThreeWithTheSecondDamagedAsync();
        await using var host = await AdminHost.StartAsync(deadLetterDirectory: _directory);
        var client = host.Client();
        var damaged = ids[1];

        var page = await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters");
        page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetString()).Should().Equal(ids[0], ids[2]);
        page.GetProperty("damagedIds").EnumerateArray().Select(e => e.GetString()).Should().Equal(damaged);

        await ShouldBeDamagedProblem(await client.GetAsync($"/resilience/api/dead-letters/{damaged}"));
        await ShouldBeDamagedProblem(await client.PostAsync($"/resilience/api/dead-letters/{damaged}/replay", null));
        await ShouldBeDamagedProblem(await client.PostAsync($"/resilience/api/dead-letters/{damaged}/archive", null));

        (await client.DeleteAsync($"/resilience/api/dead-letters/{damaged}?version={damagedVersion + 1}")).StatusCode.Should().Be(HttpStatusCode.Conflict, "the version is still checked");
        host.DeadLetters.Store.Count.Should().Be(3);

        (await client.DeleteAsync($"/resilience/api/dead-letters/{damaged}?version={damagedVersion}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        host.DeadLetters.Store.Count.Should().Be(2);
        (await client.GetAsync($"/resilience/api/dead-letters/{damaged}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var after = await client.GetFromJsonAsync<JsonElement>("/resilience/api/dead-letters");
        after.GetProperty("damagedIds").GetArrayLength().Should().Be(0);
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "ResilienceAdminAction" && r.Message.Contains(damaged, StringComparison.Ordinal), "the removal is audited");
    }

    private static async Task ShouldBeDamagedProblem(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString().Should().Match("*damaged*DELETE*");
    }

    /// <summary>Three entries, compacted into the snapshot, then the second one's payload record damaged on disk.</summary>
    private async Task<(List<string> Ids, long DamagedVersion)> StoreThreeWithTheSecondDamagedAsync()
    {
        var payloads = Enumerable.Range(0, 3).Select(i => System.Text.Encoding.UTF8.GetBytes($"payload-{i}-" + new string('x', 40))).ToList();
        var ids = new List<string>();
        long version;
        await using (var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = _directory }))
        {
            foreach (var payload in payloads)
            {
                ids.Add((await queue.AddAsync("email", payload, new IOException("smtp down"))).Id);
            }

            version = queue.Get(ids[1])!.Version;
            await ((FileDeadLetterStore)queue.Store).CompactAsync();
        }

        var snapshot = Directory.GetFiles(_directory, "snap-*.bin").Single();
        var bytes = File.ReadAllBytes(snapshot);
        bytes[bytes.AsSpan().IndexOf(payloads[1])] ^= 0x55;
        File.WriteAllBytes(snapshot, bytes);
        return (ids, version);
    }
}
