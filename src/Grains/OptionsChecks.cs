using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HuaduDispatch.Grains;

/// <summary>
/// Settings checked when the node starts. A setting the node would fail on later (a negative period, an empty buffer) stops the
/// start with every problem named by its configuration key, instead of failing each request, reminder or flush that uses it.
/// </summary>
public static class OptionsChecks
{
    /// <summary>Checks <typeparamref name="T"/> with <paramref name="problems"/> (one message per problem) when the host starts.</summary>
    public static OptionsBuilder<T> CheckedOnStart<T>(this OptionsBuilder<T> builder, Func<T, IEnumerable<string>> problems) where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new Check<T>(problems));
        return builder.ValidateOnStart();
    }

    /// <summary>"key must be more than 0, was value", when <paramref name="value"/> is not positive.</summary>
    public static IEnumerable<string> Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) yield return $"{key} must be more than 0, was {value}";
    }

    /// <summary>"key must not be negative, was value", when <paramref name="value"/> is negative.</summary>
    public static IEnumerable<string> NotNegative(string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero) yield return $"{key} must not be negative, was {value}";
    }

    /// <summary>
    /// The longest time an Orleans reminder or timer takes (its due time and period are whole milliseconds below 2^32 − 1, about
    /// 49.7 days): settings used as one are kept under it.
    /// </summary>
    public static readonly TimeSpan ReminderMax = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>A period used for a reminder or timer: more than 0 and under <see cref="ReminderMax"/>.</summary>
    public static IEnumerable<string> Period(string key, TimeSpan value) =>
        value <= TimeSpan.Zero ? Positive(key, value)
        : value >= ReminderMax ? [$"{key} must be under {ReminderMax.TotalDays:0.#} days (the longest Orleans reminder), was {value}"]
        : [];

    private sealed class Check<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var found = problems(options).ToList();
            return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
        }
    }
}
