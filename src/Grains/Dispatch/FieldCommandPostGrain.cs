using HuaduDispatch.Contracts;

namespace HuaduDispatch.Grains.Dispatch;

[GenerateSerializer, Alias("huadu.CommandPostState")]
public sealed class CommandPostState
{
    [Id(0)] public bool SetUp { get; set; }
    [Id(1)] public string Commander { get; set; } = "";
    [Id(2)] public GeoPoint? Position { get; set; }
    [Id(3)] public DateTimeOffset SetUpAt { get; set; }
    [Id(4)] public bool Automatic { get; set; }
    [Id(5)] public List<SitRep> SitReps { get; set; } = [];
    /// <summary>The incident's teams and the post's tasks, as the incident last sent them (<see cref="RosterVersion"/>).</summary>
    [Id(6)] public List<string> Teams { get; set; } = [];
    [Id(7)] public List<DispatchTask> Tasks { get; set; } = [];
    [Id(8)] public long RosterVersion { get; set; }
    /// <summary>The merged incidents whose posts' reports were carried over here (<see cref="FieldCommandPostGrain.Adopt"/>).</summary>
    [Id(9)] public List<string> AdoptedFrom { get; set; } = [];
}

/// <summary>
/// The field command post (现场指挥部) of one incident: commander, position and numbered situation reports. Teams and tasks
/// stay with the incident, which issues the post's tasks and sends this grain a copy of both when they change (<see cref="Roster"/>);
/// this grain never calls the incident.
/// </summary>
public sealed class FieldCommandPostGrain(
    [PersistentState("command-post", StorageNames.Dispatch)] IPersistentState<CommandPostState> state,
    TimeProvider clock) : Grain, IFieldCommandPostGrain
{
    private CommandPostState S => state.State;

    public async Task<CommandPost> SetUp(string commander, GeoPoint position, bool automatic, Actor actor)
    {
        if (S.SetUp)
        {
            // A request after an automatic set-up may name the commander and move the post.
            if (automatic) return View();
            S.Commander = commander;
            S.Position = position;
        }
        else
        {
            S.SetUp = true;
            S.Commander = commander;
            S.Position = position;
            S.SetUpAt = clock.GetUtcNow();
            S.Automatic = automatic;
        }
        await Changed();
        return View();
    }

    public Task<CommandPost?> Get() => Task.FromResult(S.SetUp ? View() : null);

    public async Task<SitRep> AddSitRep(SitRepRequest request, Actor actor, bool incidentOver)
    {
        if (!S.SetUp) throw DomainException.NotFound("the incident has no field command post");
        if (request.Kind is not { } kind) throw DomainException.Invalid("kind", "kind is required: Initial, Update or Final");
        if (string.IsNullOrWhiteSpace(request.Text)) throw DomainException.Invalid("text", "text is required");
        // A Final carried over from a merged incident's post closed that post, not this one.
        if (S.SitReps.Any(r => r.Kind == SitRepKind.Final && r.CarriedFrom is null)) throw DomainException.Conflict("the final situation report has been sent");
        if (kind == SitRepKind.Initial && S.SitReps.Count > 0) throw DomainException.Conflict("the initial situation report has been sent; send an Update");
        if (kind != SitRepKind.Initial && S.SitReps.Count == 0 && !(incidentOver && kind == SitRepKind.Final))
            throw DomainException.Conflict("the first situation report must be the Initial one");
        var report = new SitRep { Number = S.SitReps.Count + 1, Kind = kind, Text = request.Text.Trim(), At = clock.GetUtcNow(), Actor = actor.Subject };
        S.SitReps.Add(report);
        await Changed();
        return report;
    }

    public async Task<CommandPost> Adopt(string from, CommandPost post, Actor actor)
    {
        if (S.AdoptedFrom.Contains(from)) return View();
        if (!S.SetUp)
        {
            (S.SetUp, S.Commander, S.Position, S.SetUpAt, S.Automatic) = (true, post.Commander, post.Position, post.SetUpAt, post.Automatic);
        }
        else if (S.Automatic && !post.Automatic)
        {
            // The commander named there leads the one case, from where that post stands.
            (S.Commander, S.Position, S.Automatic) = (post.Commander, post.Position, false);
        }
        foreach (var report in post.SitReps)
            S.SitReps.Add(report with { Number = S.SitReps.Count + 1, CarriedFrom = report.CarriedFrom ?? $"{from}#{report.Number}" });
        S.AdoptedFrom.Add(from);
        await Changed();
        return View();
    }

    public async Task Roster(long version, IReadOnlyList<string> teams, IReadOnlyList<DispatchTask> tasks)
    {
        if (!S.SetUp || version <= S.RosterVersion) return;
        S.RosterVersion = version;
        // A task's every change moves its UpdatedAt.
        if (S.Teams.SequenceEqual(teams) && S.Tasks.Select(t => (t.Id, t.UpdatedAt)).SequenceEqual(tasks.Select(t => (t.Id, t.UpdatedAt)))) return;
        S.Teams = [.. teams];
        S.Tasks = [.. tasks];
        await Changed();
    }

    private async Task Changed()
    {
        await state.WriteOrRestartAsync(this);
        Realtime.Publish.To(GrainFactory, [Scopes.District, Scopes.Incident(this.GetPrimaryKeyString())],
            [new EntityChange { Kind = DeltaKinds.CommandPost, Id = this.GetPrimaryKeyString(), Data = View() }]);
    }

    private CommandPost View() => new()
    {
        IncidentId = this.GetPrimaryKeyString(),
        Commander = S.Commander,
        Position = S.Position!,
        SetUpAt = S.SetUpAt,
        Automatic = S.Automatic,
        SitReps = [.. S.SitReps],
        Teams = [.. S.Teams],
        Tasks = [.. S.Tasks],
    };
}
