using HuaduDispatch.Grains.Agencies;
using HuaduDispatch.Grains.Dispatch.Recommendation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace HuaduDispatch.Grains.Dispatch;

public static class DispatchServices
{
    /// <summary>
    /// The domain policies the dispatch grains use, from configuration: Dispatch (task timings), Dispatch:ResponseLevelsPath
    /// (a bureau's grading file; the shipped defaults otherwise), Dispatch:TravelTime and Dispatch:Recommender.
    /// </summary>
    public static IServiceCollection AddDispatchDomain(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DispatchOptions>().Bind(configuration.GetSection(DispatchOptions.Section)).CheckedOnStart(o => o.Problems());
        services.AddOptions<Realtime.RealtimeOptions>().Bind(configuration.GetSection(Realtime.RealtimeOptions.Section)).CheckedOnStart(o => o.Problems());
        var levelsPath = configuration["Dispatch:ResponseLevelsPath"];
        var policy = string.IsNullOrWhiteSpace(levelsPath)
            ? ResponseLevelPolicy.Default
            : ResponseLevelPolicy.FromJson(File.ReadAllText(levelsPath));
        services.AddSingleton(policy);
        services.AddSingleton(ShippedData.ResponsePlans());
        services.AddSingleton(Keyed("Dispatch:TravelTime", () => new TravelTimeModel(
            configuration.GetSection("Dispatch:TravelTime").Get<TravelTimeOptions>() ?? new TravelTimeOptions())));
        var recommender = configuration.GetSection("Dispatch:Recommender").Get<RecommenderOptions>() ?? new RecommenderOptions();
        if (recommender.Problems().ToList() is { Count: > 0 } problems)
            throw new InvalidOperationException("Settings the node cannot use: " + string.Join("; ", problems));
        services.AddSingleton(recommender);
        services.AddSingleton<ITeamRecommender, OptimalRecommender>();
        services.AddOptions<Relief.ReliefOptions>().Bind(configuration.GetSection(Relief.ReliefOptions.Section)).CheckedOnStart(o => o.Problems());
        // The retry of a failed solve is a reminder ticking every ReplanRetryMax, and each incident with open tasks has one
        // ticking every TaskWatchPeriod: Orleans refuses periods under its minimum (1 min), so a shorter setting lowers it.
        services.AddOptions<ReminderOptions>().PostConfigure<IOptions<Relief.ReliefOptions>, IOptions<DispatchOptions>>((o, relief, dispatch) =>
        {
            foreach (var period in new[] { relief.Value.ReplanRetryMax, dispatch.Value.TaskWatchPeriod })
                if (period > TimeSpan.Zero && period < o.MinimumReminderPeriod) o.MinimumReminderPeriod = period;
        });
        var standardPath = configuration["Relief:StandardPath"];
        services.AddSingleton(string.IsNullOrWhiteSpace(standardPath) ? Relief.ReliefStandard.Default : Relief.ReliefStandard.FromJson(File.ReadAllText(standardPath)));
        var planner = configuration.GetSection("Relief:Planner").Get<Relief.ReliefPlannerOptions>() ?? new Relief.ReliefPlannerOptions();
        Keyed("Relief:Planner", () => { Relief.ReliefProblem.ValidateOptions(planner); return planner; }); // at start, not at the first plan
        services.AddSingleton(planner);
        services.TryAddSingleton<Relief.IReliefPlanner, Relief.OptimalReliefPlanner>(); // a host (or test) may register its own first
        services.AddAgencies(configuration);
        return services;
    }

    /// <summary>
    /// Builds what checks its settings by throwing <see cref="ArgumentException"/> naming the setting, and names the section
    /// too: "Dispatch:TravelTime:SpeedKmh must be a finite positive number, ...", so a node that cannot start says which key.
    /// </summary>
    private static T Keyed<T>(string section, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{section}:{e.Message}", e);
        }
    }
}
