using System.Net;
using System.Text.Json.Nodes;
using HuaduDispatch.Contracts;

namespace HuaduDispatch.IntegrationTests.Infrastructure;

/// <summary>
/// A copy of the shipped reference data in a file of its own, for a node to load (<see cref="Setting"/>) and a test to edit,
/// save and reload. Disposing deletes the file.
/// </summary>
internal sealed class ReferenceFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"huadu-reference-{Guid.NewGuid():N}.json");

    /// <summary>The data, to edit before <see cref="SaveAsync"/> or <see cref="ReloadAsync"/>.</summary>
    public JsonNode Data { get; } = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "ReferenceData", "huadu-reference.json")))!;

    /// <summary>The node setting that loads this file.</summary>
    public KeyValuePair<string, string?> Setting => new("ReferenceData:Path", Path);

    public Task SaveAsync() => File.WriteAllTextAsync(Path, Data.ToJsonString());

    /// <summary>Saves the edited data as a new version and has the node reload it, as an administrator does.</summary>
    public async Task ReloadAsync(DispatchNode node, string versionSuffix)
    {
        Data["version"] = (string?)Data["version"] + versionSuffix;
        await SaveAsync();
        Assert.Equal(HttpStatusCode.OK, (await node.ClientAs(Roles.Admin).PostAsync("/api/v1/reference-data/reload", null)).StatusCode);
    }

    public void Dispose() => File.Delete(Path);
}
