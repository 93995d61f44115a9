using System.Security.Claims;
using HuaduDispatch.Api.Realtime;
using HuaduDispatch.Contracts;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HuaduDispatch.UnitTests.Api;

/// <summary>
/// The hub filter's answers and logging: a domain refusal becomes a HubException with the REST status and is logged at Debug;
/// a server fault is logged at Error with its exception and goes on to SignalR (which tells the client only that it failed).
/// </summary>
public sealed class DomainHubFilterTests
{
    private sealed class ProbeHub : Hub
    {
        public Task ReportStatus() => Task.CompletedTask;
        public Task UpdateTask(string incidentId, TeamStatusReport report) => Task.CompletedTask;
    }

    private sealed class Caller : HubCallerContext
    {
        public override string ConnectionId => "conn-1";
        public override string? UserIdentifier => null;
        public override ClaimsPrincipal? User { get; } = new(new ClaimsIdentity(
            [new Claim("sub", "radio-7"), new Claim("role", Roles.Team), new Claim("teamId", "T07")], "test", "sub", "role"));
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;
        public override void Abort() { }
    }

    private sealed class Captured : ILogger<DomainHubFilter>
    {
        public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception), exception));
    }

    private static HubInvocationContext Call() => new(new Caller(), new ServiceCollection().BuildServiceProvider(), new ProbeHub(),
        typeof(ProbeHub).GetMethod(nameof(ProbeHub.ReportStatus))!, []);

    [Fact]
    public async Task A_domain_refusal_becomes_the_rest_status_and_is_logged_at_debug_only()
    {
        var log = new Captured();
        var filter = new DomainHubFilter(log, new HuaduDispatch.Api.HttpOptions());
        var e = await Assert.ThrowsAsync<HubException>(async () =>
            await filter.InvokeMethodAsync(Call(), _ => throw new DomainException(DomainErrorKind.Conflict, "the team is assigned")));
        Assert.Equal("409 Conflict: the team is assigned", e.Message);
        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Contains("ProbeHub.ReportStatus", entry.Message);
        Assert.Contains("409 Conflict", entry.Message);
    }

    [Theory]
    [InlineData(null, "ok", "400 Invalid: incidentId is required")]
    [InlineData(" ", "ok", "400 Invalid: incidentId is required")]
    [InlineData("INC-\0", "ok", "400 Invalid: incidentId holds a NUL character")]
    [InlineData("INC-1", "a\0b", "400 Invalid: report.note holds a NUL character")]
    [InlineData("INC-1", null, "400 Invalid: report is required")]
    public async Task Null_blank_or_NUL_arguments_are_refused_before_the_method_runs(string? incidentId, string? note, string refusal)
    {
        var filter = new DomainHubFilter(new Captured(), new HuaduDispatch.Api.HttpOptions());
        object?[] args = [incidentId, note is null ? null : new TeamStatusReport { Status = TeamStatus.Available, Note = note }];
        var call = new HubInvocationContext(new Caller(), new ServiceCollection().BuildServiceProvider(), new ProbeHub(),
            typeof(ProbeHub).GetMethod(nameof(ProbeHub.UpdateTask))!, args);
        var ran = false;
        var e = await Assert.ThrowsAsync<HubException>(async () => await filter.InvokeMethodAsync(call, _ => { ran = true; return ValueTask.FromResult<object?>(null); }));
        Assert.StartsWith(refusal, e.Message);
        Assert.False(ran);
    }

    [Fact]
    public async Task A_transient_fault_is_a_503_the_client_may_retry_and_is_logged_at_warning()
    {
        var log = new Captured();
        var filter = new DomainHubFilter(log, new HuaduDispatch.Api.HttpOptions());
        var e = await Assert.ThrowsAsync<HubException>(async () => await filter.InvokeMethodAsync(Call(), _ => throw new TimeoutException("no answer in 30 s")));
        Assert.StartsWith("503 Unavailable: ", e.Message);
        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.IsType<TimeoutException>(entry.Exception);
    }

    [Fact]
    public async Task A_server_fault_is_logged_at_error_with_its_exception_and_the_caller()
    {
        var log = new Captured();
        var filter = new DomainHubFilter(log, new HuaduDispatch.Api.HttpOptions());
        var fault = new InvalidOperationException("the team grain's state is corrupt");
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await filter.InvokeMethodAsync(Call(), _ => throw fault));
        Assert.Same(fault, thrown);
        var entry = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Same(fault, entry.Exception);
        Assert.Contains("ProbeHub.ReportStatus", entry.Message);
        Assert.Contains("conn-1", entry.Message);
    }
}
