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
        services.Configure<DispatchOptions>(configuration.GetSection(DispatchOptions.Section));
        services.Configure<Realtime.RealtimeOptions>(configuration.GetSection(Realtime.RealtimeOptions.Section));
        var levelsPath = configuration["Dispatch:ResponseLevelsPath"];
        var policy = string.IsNullOrWhiteSpace(levelsPath)
            ? ResponseLevelPolicy.Default
            : ResponseLevelPolicy.FromJson(File.ReadAllText(levelsPath));
        services.AddSingleton(policy);
        services.AddSingleton(ShippedData.ResponsePlans());
        services.AddSingleton(new TravelTimeModel(configuration.GetSection("Dispatch:TravelTime").Get<TravelTimeOptions>() ?? new TravelTimeOptions()));
        services.AddSingleton(configuration.GetSection("Dispatch:Recommender").Get<RecommenderOptions>() ?? new RecommenderOptions());
        services.AddSingleton<ITeamRecommender, OptimalRecommender>();
        services.AddOptions<Relief.ReliefOptions>().Bind(configuration.GetSection(Relief.ReliefOptions.Section))
            .Validate(o => o.ReplanRetry > TimeSpan.Zero && o.ReplanRetryMax >= o.ReplanRetry, "Relief: ReplanRetry > 0 and ReplanRetryMax >= ReplanRetry")
            .Validate(o => o.PlannerShare is > 0 and <= 1, "Relief: PlannerShare must be more than 0 and at most 1")
            .ValidateOnStart();
        // The retry of a failed solve is a reminder ticking every ReplanRetryMax: Orleans refuses periods under its minimum (1 min).
        services.AddOptions<ReminderOptions>().PostConfigure<IOptions<Relief.ReliefOptions>>((o, relief) =>
        {
            if (relief.Value.ReplanRetryMax < o.MinimumReminderPeriod) o.MinimumReminderPeriod = relief.Value.ReplanRetryMax;
        });
        var standardPath = configuration["Relief:StandardPath"];
        services.AddSingleton(string.IsNullOrWhiteSpace(standardPath) ? Relief.ReliefStandard.Default : Relief.ReliefStandard.FromJson(File.ReadAllText(standardPath)));
        services.AddSingleton(configuration.GetSection("Relief:Planner").Get<Relief.ReliefPlannerOptions>() ?? new Relief.ReliefPlannerOptions());
        services.TryAddSingleton<Relief.IReliefPlanner, Relief.OptimalReliefPlanner>(); // a host (or test) may register its own first
        services.AddAgencies(configuration);
        return services;
    }
}
