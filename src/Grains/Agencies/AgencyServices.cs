using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace HuaduDispatch.Grains.Agencies;

public static class AgencyServices
{
    /// <summary>
    /// The webhook delivery services: <see cref="WebhookOptions"/> from the "Webhooks" section, the "webhooks" HttpClient and
    /// the sender that builds each endpoint's Polly pipeline. A sweep period shorter than Orleans' minimum reminder period
    /// (one minute) lowers that minimum to match.
    /// </summary>
    public static IServiceCollection AddAgencies(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(WebhookOptions.Section);
        services.AddOptions<WebhookOptions>().Bind(section).Validate(o =>
            o.MaxAttempts >= 1 && o.BaseDelay > TimeSpan.Zero && o.AttemptTimeout > TimeSpan.Zero && o.SweepPeriod > TimeSpan.Zero &&
            o.BreakerFailureRatio is > 0 and <= 1 && o.BreakerMinimumThroughput >= 2 &&
            o.BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500) && o.BreakDuration >= TimeSpan.FromMilliseconds(500) &&
            o.SecretOverlap >= TimeSpan.Zero,
            "Webhooks: MaxAttempts >= 1, positive delays and timeouts, BreakerFailureRatio in (0, 1], BreakerMinimumThroughput >= 2, " +
            "BreakerSamplingDuration and BreakDuration >= 500 ms, SecretOverlap >= 0").ValidateOnStart();
        var sweep = section.Get<WebhookOptions>()?.SweepPeriod ?? new WebhookOptions().SweepPeriod;
        services.PostConfigure<ReminderOptions>(o =>
        {
            if (sweep > TimeSpan.Zero && sweep < o.MinimumReminderPeriod) o.MinimumReminderPeriod = sweep;
        });
        services.AddHttpClient(WebhookOptions.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(WebhookSender.PrimaryHandler);
        services.AddSingleton<WebhookSender>();
        return services;
    }
}
