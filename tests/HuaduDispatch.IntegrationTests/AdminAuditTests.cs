using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using HuaduDispatch.Contracts;
using HuaduDispatch.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.IntegrationTests;

/// <summary>
/// Every change an admin makes through the API is in the log with who made it (category HuaduDispatch.Audit). Until the
/// thirtieth session the bureau could not tell afterwards who replaced the response plans or changed an agency.
/// </summary>
public sealed class AdminAuditTests
{
    private sealed class Capture : ILoggerProvider
    {
        public readonly ConcurrentQueue<(string Category, string Message)> Lines = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(Capture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                capture.Lines.Enqueue((category, formatter(state, exception)));
        }
    }

    [Fact]
    public async Task An_admins_changes_are_logged_with_who_made_them_and_reads_and_refusals_are_not()
    {
        var capture = new Capture();
        await using var node = await DispatchNode.StartAsync(null, new Dictionary<string, string?> { ["Logging:LogLevel:HuaduDispatch.Audit"] = "Information" },
            services: s => s.AddSingleton<ILoggerProvider>(capture));
        var admin = node.ClientAs(Roles.Admin);
        var plans = await admin.GetOk<List<ResponsePlanEntry>>("/api/v1/response-plans");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/v1/response-plans", plans, DispatchJson.Options)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/api/v1/response-plans", new object[] { new { type = "Meteor" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await node.ClientAs(Roles.Dispatcher).PostAsync("/api/v1/relief/plan", null)).StatusCode);

        var audit = capture.Lines.Where(l => l.Category == "HuaduDispatch.Audit").Select(l => l.Message).ToList();
        var line = Assert.Single(audit);
        Assert.Matches(@"^Admin \S+ PUT /api/v1/response-plans answered 200$", line);
    }
}
