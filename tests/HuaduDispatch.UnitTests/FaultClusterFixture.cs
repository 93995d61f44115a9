using System.Collections.Concurrent;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains;
using HuaduDispatch.Grains.Dispatch;
using HuaduDispatch.Grains.Realtime;
using HuaduDispatch.Grains.Relief;
using HuaduDispatch.Grains.Relief.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace HuaduDispatch.UnitTests;

/// <summary>
/// A test cluster with faults that can be switched on: an incoming grain call filter makes shipment grains refuse Create
/// (<see cref="FailShipmentCreate"/>: a relief commit stops after a warehouse reservation and before the convoy exists, as a
/// crash would), the relay registry refuse GetRelayList (<see cref="FailRelayLookup"/>) and relief demands refuse Update
/// (<see cref="FailReliefDemandUpdate"/>); the relief planner can be held before it solves (<see cref="HoldPlanner"/>). The switches
/// are static (the filter and the planner run in the silo, which a test cannot reach otherwise), as are the plan in force the
/// planner was last given (<see cref="LastInForce"/>) and the state name whose writes fail (<see cref="FailingWrites.Refused"/>),
/// so the classes using this fixture share one collection and run one at a time. Re-plans run only when a test asks (the debounce is an hour).
/// </summary>
public sealed class FaultClusterFixture : IAsyncLifetime
{
    /// <summary>The test classes that use this fixture: one collection, so they run one at a time and a switch one of them turns
    /// on cannot hit another's cluster.</summary>
    public const string Collection = "fault-injection";

    public static volatile bool FailShipmentCreate;
    /// <summary>A relief commit stops right after a convoy was amended (the amendment stored), as when its node dies there.</summary>
    public static volatile bool FailAfterShipmentAmend;
    /// <summary>The relief whose plan is applied, then the coordinator's node stops (its writes fail until <see cref="FailingWrites.Stop"/>).</summary>
    public static volatile string? FailAfterApplyPlanOf;
    /// <summary>While set, the planner's plans send every convoy on no truck at all (a planner gone wrong).</summary>
    public static volatile bool BreakPlans;
    public static volatile bool FailRelayLookup;
    public static volatile bool FailReliefDemandUpdate;
    /// <summary>How many of the next shelter closure notices to the reliefs are lost (a node going away before they get there).</summary>
    public static int DropShelterClosed;
    /// <summary>While set, area boards refuse Upsert: an incident change stored, and the node gone before the board heard of it.</summary>
    public static volatile bool FailBoardUpsert;
    /// <summary>
    /// While set to a team grain method's name (<c>Assign</c>, <c>Release</c>), that call runs and stores the team, then its
    /// caller gets an error, as when the node dies after the team's write and before the incident's.
    /// </summary>
    public static volatile string? FailAfterTeamCall;
    /// <summary>While set, the relief planner waits at this gate before it solves: a long solve that the test ends.</summary>
    public static volatile PlannerGate? HoldPlanner;
    /// <summary>The plan in force the coordinator gave the relief planner at its last call.</summary>
    public static volatile IReadOnlyList<ReliefLoad>? LastInForce;

    /// <summary>Where a held planner waits: <see cref="Entered"/> completes once a solve is waiting, <see cref="Release"/> lets it go on.</summary>
    public sealed class PlannerGate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _released = new();

        public Task Entered => _entered.Task;

        public void Release() => _released.Set();

        internal void Wait()
        {
            _entered.TrySetResult();
            if (!_released.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the held relief planner was not released within 30 s");
        }
    }

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>What the silo logged at Warning and above (category, level, message).</summary>
    public static readonly CapturedLogs Logs = new();

    public sealed class CapturedLogs : ILoggerProvider
    {
        public readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries = new();
        public ILogger CreateLogger(string categoryName) => new Capture(this, categoryName);
        public void Dispose() { }

        private sealed class Capture(CapturedLogs logs, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) logs.Entries.Enqueue((category, logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception)));
            }
        }
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddTestDomain(new Dictionary<string, string?> { ["Relief:ReplanDebounce"] = "01:00:00", ["Dispatch:ReliefResend"] = "00:00:01", ["Dispatch:TeamRepair"] = "00:00:01" }, failableWrites: true);
            silo.Services.AddSingleton<ILoggerProvider>(Logs);
            // The real planner, after waiting at HoldPlanner when set (it runs on the thread pool, off the grain's turn).
            silo.Services.AddSingleton<IReliefPlanner>(sp => new BeforeEachSolve(ActivatorUtilities.CreateInstance<OptimalReliefPlanner>(sp), inForce =>
            {
                HoldPlanner?.Wait();
                LastInForce = inForce;
            }, result => BreakPlans ? result with { Allocations = [.. result.Allocations.Select(a => a with { Trucks = 0 })] } : result));
            silo.AddIncomingGrainCallFilter(context =>
            {
                if (FailAfterTeamCall is { } method && context.Grain is HuaduDispatch.Grains.Teams.RescueTeamGrain && context.InterfaceMethod.Name == method)
                    return InvokeThenFail(context);
                if (FailAfterApplyPlanOf is { } reliefOf && context.Grain is ReliefDemandGrain relief && relief.GetPrimaryKeyString() == reliefOf
                    && context.InterfaceMethod.Name == nameof(IReliefDemandGrain.ApplyPlan))
                    return ApplyPlanThenStop(context);
                if (FailAfterShipmentAmend && context.Grain is ShipmentGrain && context.InterfaceMethod.Name == nameof(IShipmentGrain.Amend))
                    return AmendThenStop(context);
                if (FailShipmentCreate && context.Grain is ShipmentGrain && context.InterfaceMethod.Name == nameof(IShipmentGrain.Create))
                    throw new InvalidOperationException("injected: the node stopped before the convoy was created");
                if (FailRelayLookup && context.Grain is RelayRegistryGrain && context.InterfaceMethod.Name == nameof(IRelayRegistryGrain.GetRelayList))
                    throw new InvalidOperationException("injected: the relay registry cannot be read");
                if (FailBoardUpsert && context.Grain is AreaBoardGrain && context.InterfaceMethod.Name == nameof(IAreaBoardGrain.Upsert))
                    throw new InvalidOperationException("injected: the node stopped before the area board was updated");
                if (context.Grain is ReliefDemandGrain && context.InterfaceMethod.Name == nameof(IReliefDemandGrain.ShelterClosed) && TakeOne(ref DropShelterClosed))
                    throw new InvalidOperationException("injected: the closure notice was lost");
                if (FailReliefDemandUpdate && context.Grain is ReliefDemandGrain && context.InterfaceMethod.Name == nameof(IReliefDemandGrain.Update))
                    throw new InvalidOperationException("injected: the relief demand cannot be updated");
                return context.Invoke();
            });
        }
    }

    /// <summary>
    /// The convoy is amended, then the coordinator's node stops: the call fails, and so does every later write of the
    /// coordinator's state (a dead node writes nothing) until the test calls <see cref="FailingWrites.Stop"/>.
    /// </summary>
    private static async Task AmendThenStop(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        FailingWrites.FailFromNow("relief-coordinator");
        throw new InvalidOperationException("injected: the node stopped after the convoy was amended");
    }

    /// <summary>Takes one from <paramref name="count"/> when it is above 0.</summary>
    private static bool TakeOne(ref int count)
    {
        for (var seen = Volatile.Read(ref count); seen > 0; seen = Volatile.Read(ref count))
            if (Interlocked.CompareExchange(ref count, seen - 1, seen) == seen) return true;
        return false;
    }

    /// <summary>A relief takes the plan, then the coordinator's node stops: the call fails, and so does every later write of its state.</summary>
    private static async Task ApplyPlanThenStop(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        FailingWrites.FailFromNow("relief-coordinator");
        throw new InvalidOperationException("injected: the node stopped while the reliefs were told of the plan");
    }

    private static async Task InvokeThenFail(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        throw new InvalidOperationException($"injected: the node stopped after the team's {context.InterfaceMethod.Name} was stored");
    }

    public async Task InitializeAsync() => Cluster = await TestClusters.Deploy<Configurator>();

    public async Task DisposeAsync() => await Cluster.StopAllSilosAsync();

    private IServiceProvider SiloServices => Cluster.Primary is InProcessSiloHandle silo
        ? silo.SiloHost.Services
        : throw new InvalidOperationException("the test cluster runs in process");

    /// <summary>The state a grain has stored, read straight from the silo's grain storage (null when none).</summary>
    public async Task<T?> Stored<T>(string stateName, GrainId grainId)
    {
        var state = new GrainState<T>();
        await SiloServices.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(StorageNames.Dispatch).ReadStateAsync(stateName, grainId, state);
        return state.RecordExists ? state.State : default;
    }

    /// <summary>Stores <paramref name="value"/> as a grain's state straight into the silo's grain storage (a state an older version wrote).</summary>
    public async Task Store<T>(string stateName, GrainId grainId, T value)
    {
        var storage = SiloServices.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(StorageNames.Dispatch);
        var current = new GrainState<T>();
        await storage.ReadStateAsync(stateName, grainId, current);
        current.State = value;
        await storage.WriteStateAsync(stateName, grainId, current);
    }

    /// <summary>The silo's relief settings, as the grains read them: a test that changes one (a restart with a new setting) puts it back.</summary>
    public ReliefOptions ReliefSettings => SiloServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReliefOptions>>().Value;

    /// <summary>The silo's reminder table (in memory).</summary>
    public IReminderTable Reminders => SiloServices.GetRequiredService<IReminderTable>();
}

[CollectionDefinition(FaultClusterFixture.Collection)]
public sealed class FaultInjectionCollection;
