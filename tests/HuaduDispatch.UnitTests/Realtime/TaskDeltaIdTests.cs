using HuaduDispatch.Contracts;

namespace HuaduDispatch.UnitTests.Realtime;

public sealed class TaskDeltaIdTests
{
    [Fact]
    public void A_task_delta_id_names_its_incident_and_the_field_hub_takes_either_form_of_the_same_incident()
    {
        Assert.Equal("INC-1/task-1", DeltaKinds.TaskId("INC-1", "task-1"));
        Assert.Equal("task-1", DeltaKinds.LocalTaskId("INC-1", "task-1"));
        Assert.Equal("task-1", DeltaKinds.LocalTaskId("INC-1", "INC-1/task-1"));
        // Another incident's delta id is not this incident's task: left as it is, so the lookup says "no task".
        Assert.Equal("INC-2/task-1", DeltaKinds.LocalTaskId("INC-1", "INC-2/task-1"));
        Assert.Equal("INC-1/", DeltaKinds.LocalTaskId("INC-1", "INC-1/"));
        Assert.Equal("INC-10/task-1", DeltaKinds.LocalTaskId("INC-1", "INC-10/task-1"));
    }
}
