using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Issue 26: dead letters hold request data and secrets. The directory is private and never reached through a link,
/// every field of an entry is bounded, secrets are redacted before anything reaches the disk, and purged or damaged
/// data does not stay on disk indefinitely. Each test failed on the 1.0 store (links followed, 1 MB contexts accepted,
/// context keys and URLs stored in clear, purged bytes left in old segments, quarantine kept forever).
/// </summary>
public sealed class DataAtRestTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_DirectoryIsASymbolicLink_Refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var real = _dir.Sub("real");
        Directory.CreateDirectory(real);
        var link = _dir.Sub("link");
        Directory.CreateSymbolicLink(link, real);

        var act = () => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = link });

        act.Should().Throw<IOException>().WithMessage("*symbolic link*");
        Directory.GetFiles(real).Should().BeEmpty("nothing is written through the link");
    }

    [Theory]
    [InlineData("LOCK.owner")]
    [InlineData("LOCK")]
    [InlineData("seg-00000000000000000001.log")]
    [InlineData("snap-00000000000000000009.bin")]
    public void Open_PlantedLinkInTheDirectory_RefusedAndTargetUntouched(string name)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = _dir.Sub("store");
        Directory.CreateDirectory(store);
        var victim = _dir.Sub("victim.txt");
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(store, name), victim);

        var act = () => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = store });

        act.Should().Throw<IOException>().WithMessage("*symbolic link*");
        File.ReadAllText(victim).Should().Be("precious");
    }

    [Fact]
    public void Open_DirectoryOwnedByAnotherUser_Refused()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return; // Needs the right to give a directory away.
        }

        var store = _dir.Sub("foreign");
        Directory.CreateDirectory(store);
        using (var chown = Process.Start("chown", ["65534", store]))
        {
            chown.WaitForExit();
            chown.ExitCode.Should().Be(0);
        }

        var act = () => FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = store });

        act.Should().Throw<IOException>().WithMessage("*owned by user 65534*");
    }

    [Fact]
    public async Task Open_ExistingDirectoryOpenToOthers_TightenedToOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = _dir.Sub("loose");
        Directory.CreateDirectory(store, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(store, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        await using var opened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = store });

        File.GetUnixFileMode(store).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public static TheoryData<string, string> OversizedEntries => new()
    {
        { "context-count", "DeadLetterLimits.MaxContextEntries" },
        { "context-value", "DeadLetterLimits.MaxContextValueLength" },
        { "context-key", "DeadLetterLimits.MaxContextKeyLength" },
        { "operation-type", "DeadLetterLimits.MaxOperationTypeLength" },
        { "newline", "control character" },
    };

    [Theory]
    [MemberData(nameof(OversizedEntries))]
    public async Task SaveAsync_EntryBreaksALimit_BothStoresRefuseItNamingTheLimit(string shape, string named)
    {
        var entry = Oversized(shape);
        await using var file = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Sub("file") });
        await using var memory = new InMemoryDeadLetterStore();

        foreach (IDeadLetterStore store in new IDeadLetterStore[] { file, memory })
        {
            var act = async () => await store.SaveAsync([entry]);
            (await act.Should().ThrowAsync<DeadLetterRejectedException>()).Which.Message.Should().Contain(named);
            store.Count.Should().Be(0);
        }
    }

    [Fact]
    public async Task AddAsync_ErrorTypeOverTheLimit_CutWithAMarker()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { TimeProvider = _time });
        var entry = await queue.AddAsync("op", "x"u8.ToArray(), new DeadLetterError { Type = new string('T', 5000), Message = "m" });

        entry.Error.Type.Should().HaveLength(DeadLetterLimits.MaxErrorTypeLength).And.EndWith(DeadLetterLimits.TruncationMarker);
    }

    [Fact]
    public async Task AddAsync_MaxBytes_CountsContextAndErrorTextNotOnlyThePayload()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { TimeProvider = _time, MaxBytes = 16 * 1024 });
        var context = Enumerable.Range(0, 4).ToDictionary(i => "k" + i, _ => new string('v', 4000));

        await queue.AddAsync("op", "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" }, context);
        var second = async () => await queue.AddAsync("op", "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" }, context);

        await second.Should().ThrowAsync<DeadLetterQueueFullException>("1-byte payloads, but 16 KB of context each");
    }

    [Fact]
    public async Task AddAsync_SecretsInContextAndErrors_RedactedBeforeTheyReachDisk()
    {
        var directory = _dir.Sub("redacted");
        await using (var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = directory, TimeProvider = _time }))
        {
            var entry = await queue.AddAsync(
                "charge",
                "{\"amount\":5}"u8.ToArray(),
                new DeadLetterError { Type = "HttpRequestException", Message = "GET https://api.example.com/pay?api_key=SECRET-QUERY failed; password=SECRET-PAIR", StackTrace = "Authorization: Bearer SECRET-BEARER" },
                new Dictionary<string, string> { ["Authorization"] = "Bearer SECRET-HEADER", ["X-Api-Key"] = "SECRET-KEY", ["tenant"] = "acme", ["callback"] = "https://hooks.example.com/x?sig=SECRET-URL" });

            entry.Context["Authorization"].Should().Be(SecretRedaction.Marker);
            entry.Context["X-Api-Key"].Should().Be(SecretRedaction.Marker);
            entry.Context["tenant"].Should().Be("acme");
            entry.Context["callback"].Should().Be("https://hooks.example.com/x?" + SecretRedaction.Marker);
            entry.Error.Message.Should().NotContain("SECRET");
            entry.Error.StackTrace.Should().NotContain("SECRET");
        }

        DirectoryBytesContain(directory, "SECRET").Should().BeFalse("no secret reaches any file of the store");
    }

    [Fact]
    public async Task AddAsync_RedactSecretsOff_KeepsValuesAndRedactEntryReachesPayloadAndKeys()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions
        {
            TimeProvider = _time,
            RedactSecrets = false,
            RedactEntry = e => e with
            {
                Payload = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(e.Payload.Span).Replace("4111111111111111", "****", StringComparison.Ordinal)),
                Context = e.Context.ToDictionary(p => p.Key == "card" ? "card-masked" : p.Key, p => p.Value),
            },
        });

        var entry = await queue.AddAsync("op", "{\"card\":\"4111111111111111\"}"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" }, new Dictionary<string, string> { ["card"] = "x", ["token"] = "kept" });

        Encoding.UTF8.GetString(entry.Payload.Span).Should().Be("{\"card\":\"****\"}");
        entry.Context.Should().ContainKey("card-masked").And.NotContainKey("card");
        entry.Context["token"].Should().Be("kept", "the built-in redaction is off");
    }

    [Fact]
    public async Task PurgeAsync_Erase_PurgedBytesAreGoneFromEveryFile()
    {
        var directory = _dir.Sub("erase");
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = directory, TimeProvider = _time });
        await queue.AddAsync("keep", "KEEP-ME"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });
        await queue.AddAsync("forget", "FORGET-ME-PAYLOAD"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });

        (await queue.PurgeAsync(new DeadLetterQuery { OperationType = "forget" }, erase: true)).Should().Be(1);

        DirectoryBytesContain(directory, "FORGET-ME-PAYLOAD").Should().BeFalse();
        DirectoryBytesContain(directory, "KEEP-ME").Should().BeTrue();
    }

    [Fact]
    public async Task Open_QuarantinedFilesPastRetention_Deleted()
    {
        var store = _dir.Sub("quarantine");
        Directory.CreateDirectory(store);
        var old = Path.Combine(store, "seg-00000000000000000001.log.corrupt-" + _time.GetUtcNow().AddDays(-31).UtcTicks);
        var recent = Path.Combine(store, "seg-00000000000000000002.log.corrupt-" + _time.GetUtcNow().AddDays(-1).UtcTicks);
        await File.WriteAllTextAsync(old, "old");
        await File.WriteAllTextAsync(recent, "recent");

        await using var opened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = store, TimeProvider = _time });

        File.Exists(old).Should().BeFalse();
        File.Exists(recent).Should().BeTrue();
    }

    [Fact]
    public async Task ReplayAsync_TinyRate_RejectedAsAnArgumentNotAnOverflow()
    {
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { TimeProvider = _time });
        queue.RegisterHandler("op", (_, _) => default);
        await queue.AddAsync("op", "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });

        var act = async () => await queue.ReplayAsync(new DeadLetterQuery(), maxPerSecond: 1e-12);

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>().WithParameterName("maxPerSecond");
    }

    private static DeadLetterEntry Oversized(string shape)
    {
        var entry = TestEntries.Create(1);
        return shape switch
        {
            "context-count" => entry with { Context = Enumerable.Range(0, 65).ToDictionary(i => "k" + i, _ => "v") },
            "context-value" => entry with { Context = new Dictionary<string, string> { ["big"] = new string('v', 1_000_000) } },
            "context-key" => entry with { Context = new Dictionary<string, string> { [new string('k', 300)] = "v" } },
            "operation-type" => entry with { OperationType = new string('o', 300) },
            _ => entry with { OperationType = "charge\ncard" },
        };
    }

    private static bool DirectoryBytesContain(string directory, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return Directory.GetFiles(directory).Where(path => !path.EndsWith("LOCK", StringComparison.Ordinal)).Any(path =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0;
        });
    }
}
