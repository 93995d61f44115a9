using System.Text;
using HuaduDispatch.Contracts;
using HuaduDispatch.Grains.Teams;
using HuaduDispatch.Silo.Storage;

namespace HuaduDispatch.UnitTests;

public sealed class JsonGrainStorageSerializerTests
{
    private readonly JsonGrainStorageSerializer _serializer = new();

    private static RescueTeamState Sample() => new()
    {
        Definition = ReferenceDataValidatorTests.Minimal().Teams[0],
        Status = TeamStatus.OnScene,
        StatusChangedAt = new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.FromHours(8)),
        Position = new TeamPosition { Lat = 23.41, Lon = 113.2, At = new DateTimeOffset(2026, 11, 29, 8, 1, 0, TimeSpan.FromHours(8)) },
    };

    [Fact]
    public void State_round_trips_through_readable_camel_case_json_without_type_names()
    {
        var data = _serializer.Serialize(Sample());
        var text = Encoding.UTF8.GetString(data.ToArray());
        Assert.Contains("\"status\":\"OnScene\"", text);
        Assert.Contains("水域救援队", text); // Chinese names stay readable, not \u-escaped
        Assert.DoesNotContain("$type", text);
        Assert.DoesNotContain("HuaduDispatch", text);

        var back = _serializer.Deserialize<RescueTeamState>(data);
        Assert.Equal(TeamStatus.OnScene, back.Status);
        Assert.Equal(Sample().StatusChangedAt, back.StatusChangedAt);
        Assert.Equal(Sample().Position, back.Position);
        Assert.Equal("D01", back.Definition!.Id);
    }

    [Fact]
    public void Stored_state_with_unknown_and_missing_properties_still_loads()
    {
        // Written by a later or earlier build: an extra property, no position.
        var stored = """{"status":"Returning","statusChangedAt":"2026-11-29T08:00:00+08:00","addedLater":{"x":1}}"""u8.ToArray();
        var state = _serializer.Deserialize<RescueTeamState>(BinaryData.FromBytes(stored));
        Assert.Equal(TeamStatus.Returning, state.Status);
        Assert.Null(state.Position);
    }
}
