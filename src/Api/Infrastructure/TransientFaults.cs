using System.Data.Common;
using Orleans.Runtime;
using Orleans.Storage;

namespace HuaduDispatch.Api;

/// <summary>
/// Faults that are not the request's and that a retry can get past: the database not answering or refusing connections, a
/// grain call timing out, a silo going away, a concurrent write of the same grain. Anything else stays a 500 (a fault of ours).
/// </summary>
public static class TransientFaults
{
    /// <summary>How long a client is asked to wait before it retries.</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>
    /// What to tell the client, or null when the fault is not transient. Looks through wrapping exceptions. A
    /// <paramref name="read"/> (GET, HEAD) is only asked to retry: the advice to send an Idempotency-Key is for changes. A
    /// <paramref name="hubCall"/> has no Idempotency-Key to send: it is told whether the change may have taken effect, and to
    /// retry (until the thirtieth session hub calls, reads included, were advised to send a key).
    /// </summary>
    public static string? Describe(Exception exception, bool read = false, bool hubCall = false) =>
        Advice(exception, read, read || hubCall ? "" : KeyAdvice);

    private const string KeyAdvice = " with an Idempotency-Key to have it apply once";

    private static string? Advice(Exception exception, bool read, string key)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AggregateException a:
                    return a.InnerExceptions.Count == 1 ? Advice(a.InnerExceptions[0], read, key) : null; // several faults: not judged, a 500
                case InconsistentStateException:
                    return "the change met another change of the same record and was not stored; retry it";
                case DbException { IsTransient: true }:
                case HuaduDispatch.Contracts.DatabaseUnavailableException:
                    return read ? "the database did not answer (it is busy or unreachable); retry"
                        : "the database did not answer (it is busy or unreachable), so the change was not confirmed stored: it may or may not have taken effect; retry it" + key;
                // Orleans cancels a call whose message expired before its grain could be placed ("Message expired before
                // placement"), e.g. behind a grain that is stuck: a fault a retry can get past, as a timeout is (it was a 500).
                case OperationCanceledException:
                case TimeoutException:
                    return read ? "the request did not complete in time; retry it"
                        : "the request did not complete in time; it may or may not have taken effect, so retry it" + key;
                case SiloUnavailableException or OrleansMessageRejectionException:
                    return "a node of the cluster went away while answering; retry it" + key;
            }
        }
        return null;
    }
}
